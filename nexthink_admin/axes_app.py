"""django-axes under a readable name in Django admin ("Sign-in lockout" rather
than the raw label AXES). In its own module: a second AppConfig in apps.py
would make Django pick neither for nexthink_admin."""

from axes.apps import AppConfig as AxesConfig


class SignInLockoutConfig(AxesConfig):
    verbose_name = "Sign-in lockout"
