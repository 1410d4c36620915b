"""The audit trail: who created, changed or deleted a credential or a
connector, and when. Values that are secrets are never recorded."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        ENABLED = "enabled", "Enabled"
        DISABLED = "disabled", "Disabled"
        RUN_REQUESTED = "run_requested", "Run requested"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text="Kept when the user is deleted."
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=32, help_text="credential or connector")
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(
        default=dict, blank=True, help_text="Field: [old, new]; secrets are never recorded."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.object_type} {self.object_repr}"


class UserPreference(models.Model):
    """Each user's own settings (the Preferences page and the theme switch):
    the time zone every time is shown in, and the colour theme. The session
    keeps a copy (nexthink_admin/session_preferences.py), so a request reads
    neither from here."""

    class Theme(models.TextChoices):
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"
        SYSTEM = "system", "System"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="An IANA time zone (Europe/Zurich); blank: the server's TIME_ZONE.",
    )
    theme = models.CharField(
        max_length=6,
        choices=Theme.choices,
        default=Theme.SYSTEM,
        help_text="Light, dark, or as the browser's system setting.",
    )

    def __str__(self) -> str:
        return f"Preferences of {self.user}"
