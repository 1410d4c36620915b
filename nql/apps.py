from django.apps import AppConfig


class NqlConfig(AppConfig):
    name = "nql"
    verbose_name = "NQL"
    default_auto_field = "django.db.models.BigAutoField"
