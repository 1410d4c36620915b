"""The WSGI application (gunicorn). Without DJANGO_SETTINGS_MODULE it is the
production settings, which refuse to start without their secrets: a production
entry point never falls back to the development settings. `make run` sets the
local settings explicitly (Makefile)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.production")
application = get_wsgi_application()
