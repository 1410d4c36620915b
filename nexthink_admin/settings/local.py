"""`make run`: a developer's or a single administrator's machine."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "django-insecure-local-development-only")

from .base import *  # noqa: E402,F401,F403
from .base import INSTALLED_APPS, VAR_DIR  # noqa: E402

VAR_DIR.mkdir(exist_ok=True)
# The demo (`make demo`: the AWS simulator wired to demo connectors) is a
# development tool: installed here and in the tests, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
