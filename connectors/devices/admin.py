"""Django admin for devices and their history, read-only: only the runs write
these rows. Registered in connectors/admin.py with the app's other models."""

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from ..models import Device
from ..models.device import RECORD_DETAIL_FIELDS


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable with the view permission; no add, no change, no delete."""

    class Media:
        css = {"all": ("css/admin_a11y.css",)}  # links in text told apart (axe, tests/browser)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ValuesFilter(admin.AllValuesFieldListFilter):
    """Every value of a text field, with a blank value named "(blank)": Django
    would show it as a link with no text, which nobody can read or hear."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": "(blank)"}
            yield choice


class RemovedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", "Active"), ("removed", "Removed"))

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "active":
            return queryset.filter(removed_at__isnull=True)
        if self.value() == "removed":
            return queryset.filter(removed_at__isnull=False)
        return queryset


class DeviceAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "desktop_pool",
        "pool_type",
        "hostname",
        "hypervisor_name",
        "environment_name",
        "desktop_broker",
        "disk_image",
        "instance_size",
        "region",
        "last_update",
        "connector",
        "is_active",
    )
    list_filter = (
        RemovedFilter,
        ("region", ValuesFilter),
        "pool_type",
        ("instance_size", ValuesFilter),
        ("desktop_broker", ValuesFilter),
        ("environment_name", ValuesFilter),
        "image_behind_bundle",
        ("operating_system_name", ValuesFilter),
        "connector",
    )
    search_fields = ("name", "source_id", "user_name")
    date_hierarchy = "last_update"
    list_select_related = ("connector",)
    list_per_page = 50
    show_full_result_count = False  # no second COUNT over the whole table
    fieldsets = (
        (None, {"fields": ("name", "connector", "source_id", "removed_at", "history")}),
        (
            "Virtualization fields",
            {
                "fields": (
                    "desktop_pool",
                    "pool_type",
                    "hostname",
                    "hypervisor_name",
                    "environment_name",
                    "desktop_broker",
                    "disk_image",
                    "instance_size",
                    "region",
                    "last_update",
                )
            },
        ),
        (
            "Source attributes",
            {
                "fields": (
                    "workspace_id",
                    "session_id",
                    "pool_id",
                    "bundle_id",
                    "image_id",
                    "directory_id",
                    "user_name",
                    "state",
                    "ip_address",
                    "running_mode",
                    "first_seen_at",
                    "last_seen_run",
                )
            },
        ),
        ("WorkSpace record, bundle and image", {"fields": RECORD_DETAIL_FIELDS}),
    )
    readonly_fields = ("history",)

    @admin.display(boolean=True, description="Active", ordering="removed_at")
    def is_active(self, obj: Device) -> bool:
        return obj.removed_at is None

    @admin.display(description="History")
    def history(self, obj: Device):
        url = (
            reverse("admin:connectors_devicechange_changelist")
            + "?"
            + urlencode({"device__id__exact": obj.pk})
        )
        return format_html(
            '<a href="{}">{} field changes</a> · <a href="{}">device page</a>',
            url,
            obj.changes.count(),
            obj.get_absolute_url(),
        )


class DeviceChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "device", "field", "old_value", "new_value", "run")
    list_filter = ("field",)
    search_fields = ("device__name", "old_value", "new_value")
    date_hierarchy = "changed_at"
    list_select_related = ("device", "run__connector")
    show_full_result_count = False
