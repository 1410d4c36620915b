"""View code shared by the apps' pages."""

from django.db import models
from django.shortcuts import get_object_or_404


class ObjectMixin:
    """A page about one object: the URL's pk is loaded into `self.<object_name>`
    (404 when there is none). List it after PermissionMixin, so the permission
    is checked first."""

    model: type[models.Model]
    object_name = "object"

    def dispatch(self, request, *args, **kwargs):
        setattr(self, self.object_name, get_object_or_404(self.model, pk=kwargs["pk"]))
        return super().dispatch(request, *args, **kwargs)
