"""Make sure a first administrator exists, without an interactive prompt.

With DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD set, that account
is created (or its password left alone if it exists). Otherwise, when no
superuser exists yet, an `admin` account is created with a generated password
that is printed this once and never stored in clear anywhere.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first administrator if none exists (see the README)."

    def handle(self, *args, **options) -> None:
        users = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
        if username and password:
            if users.objects.filter(username=username).exists():
                self.stdout.write(f"Administrator '{username}' exists; sign in with its password.")
                return
            users.objects.create_superuser(username=username, email=email, password=password)
            self.stdout.write(
                f"Created administrator '{username}' from DJANGO_SUPERUSER_* variables."
            )
            return
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An administrator exists; sign in with its password"
                " (python manage.py changepassword NAME resets it)."
            )
            return
        username = username or "admin"
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email=email, password=password)
        banner = "=" * 64
        self.stdout.write(
            f"{banner}\nFirst administrator created. This password is shown once only:\n"
            f"  username: {username}\n  password: {password}\n{banner}"
        )
