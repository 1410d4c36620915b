from django.conf import settings
from django.contrib import admin

from .models import AuditEvent, UserPreference


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the services only."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    """Read-only, to look up who uses which zone and theme. Each user sets their
    own on the Preferences page; an edit here would not reach their signed-in
    sessions (which keep a copy, session_preferences.py) until they sign in
    again, so it would look ignored. A preference goes with its user."""

    list_display = ("user", "time_zone_shown", "theme")
    list_filter = ("theme",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    ordering = ("user__username",)

    @admin.display(description="Time zone", ordering="time_zone")
    def time_zone_shown(self, obj: UserPreference) -> str:
        return obj.time_zone or f"Server ({settings.TIME_ZONE})"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
