"""pytest. Uses DATABASE_URL / REDIS_URL when given (CI runs once with the
machine's PostgreSQL and Redis), SQLite and the embedded Redis otherwise."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from .base import *  # noqa: E402,F401,F403
from .base import INSTALLED_APPS, STATIC_ROOT, VAR_DIR  # noqa: E402

# The demo app's commands and setup are tested too (tests/test_demo.py).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

VAR_DIR.mkdir(exist_ok=True)
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
# Tasks run in-process unless a test starts a real worker (tests/collection).
CELERY_TASK_ALWAYS_EAGER = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not :memory:, so a worker thread and concurrent runs get their
    # own connections to the same test database.
    # One file per pytest process, so two suites running at once never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
