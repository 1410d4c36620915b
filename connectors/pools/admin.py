"""Django admin for pools and their sessions, read-only like devices: only
the runs write these rows. Viewable with the Devices permission
(connectors.view_device) or the models' own view permissions."""

from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from ..devices.admin import ReadOnlyAdmin, RemovedFilter
from ..models import Pool

VIEW_PERMISSION = "connectors.view_device"


class _ViewedWithDevices(ReadOnlyAdmin):
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(VIEW_PERMISSION) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_PERMISSION) or super().has_module_permission(request)


class PoolAdmin(_ViewedWithDevices):
    list_display = (
        "name",
        "pool_id",
        "state",
        "connector",
        "instance_size",
        "active_user_sessions",
        "available_user_sessions",
        "actual_user_sessions",
        "desired_user_sessions",
        "last_update",
        "is_active",
    )
    list_filter = (RemovedFilter, "state", "running_mode", "connector")
    search_fields = ("name", "pool_id")
    list_select_related = ("connector",)
    list_per_page = 50
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "pool_id", "connector", "description", "removed_at", "links")}),
        (
            "Configuration",
            {
                "fields": (
                    "state",
                    "bundle_id",
                    "image_id",
                    "disk_image",
                    "instance_size",
                    "directory_id",
                    "running_mode",
                    "disconnect_timeout_seconds",
                    "idle_disconnect_timeout_seconds",
                    "max_user_duration_seconds",
                    "errors",
                    "created_in_aws",
                )
            },
        ),
        (
            "Capacity",
            {
                "fields": (
                    "available_user_sessions",
                    "desired_user_sessions",
                    "actual_user_sessions",
                    "active_user_sessions",
                )
            },
        ),
        (
            "Seen",
            {
                "fields": (
                    "environment_name",
                    "region",
                    "first_seen_at",
                    "last_seen_run",
                    "last_update",
                )
            },
        ),
    )
    readonly_fields = ("links",)

    @admin.display(boolean=True, description="Active", ordering="removed_at")
    def is_active(self, obj: Pool) -> bool:
        return obj.removed_at is None

    @admin.display(description="Sessions")
    def links(self, obj: Pool):
        url = (
            reverse("admin:connectors_poolsession_changelist")
            + "?"
            + urlencode({"pool__id__exact": obj.pk})
        )
        return format_html(
            '<a href="{}">{} sessions</a> · <a href="{}">pool page</a>',
            url,
            obj.sessions.count(),
            obj.get_absolute_url(),
        )


class EndedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("current", "Current"), ("ended", "Ended"))

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "ended":
            return queryset.filter(ended_at__isnull=False)
        return queryset


class PoolSessionAdmin(_ViewedWithDevices):
    list_display = (
        "session_id",
        "pool",
        "user_id",
        "instance_id",
        "connection_state",
        "session_start",
        "expiration_time",
        "ended_at",
    )
    list_filter = (EndedFilter, "connection_state", "pool")
    search_fields = ("session_id", "user_id", "instance_id", "pool__name")
    list_select_related = ("pool",)
    date_hierarchy = "session_start"
    list_per_page = 50
    show_full_result_count = False
