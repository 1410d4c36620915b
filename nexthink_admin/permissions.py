"""Every page needs a signed-in user (LoginRequiredMiddleware); every view
also names the Django permission it needs. Signed-in users without it get 403."""

from django.contrib.auth.mixins import PermissionRequiredMixin


class PermissionMixin(PermissionRequiredMixin):
    raise_exception = True
