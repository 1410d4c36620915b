from django.apps import AppConfig


class NexthinkAdminConfig(AppConfig):
    name = "nexthink_admin"
    verbose_name = "Console"
    default = True  # the app's config even if another AppConfig is imported here

    def ready(self) -> None:
        # Every app's admin module is registered by now (django.contrib.admin
        # comes first in INSTALLED_APPS and autodiscovers in its own ready()).
        from . import session_preferences  # noqa: F401  (its sign-in receiver)
        from .admin_hardening import harden_admin_site

        harden_admin_site()
