"""Saved NQL API queries and the machine clients allowed to run them."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

QUERY_ID_MAX = 64
QUERY_ID_RE = re.compile(r"#[a-z0-9_]+")


def query_id_validate(value: str) -> str:
    if not value:
        raise ValidationError("Enter a Query ID.", code="required")
    if len(value) > QUERY_ID_MAX:
        raise ValidationError(
            f"At most {QUERY_ID_MAX} characters (this one has {len(value)}).", code="max_length"
        )
    if not QUERY_ID_RE.fullmatch(value):
        raise ValidationError(
            "A Query ID is # followed by lowercase letters, digits and underscores "
            "(for example #aws_inventory_by_region).",
            code="chars",
        )
    return value


class QueryIdLocked(ValidationError):
    """Raised when anything tries to change a saved query's Query ID."""

    def __init__(self) -> None:
        super().__init__(
            "The Query ID cannot be changed after the query is created.", code="query_id_locked"
        )


class NqlApiQueryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if "query_id" in kwargs:
            raise QueryIdLocked()
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "query_id" in fields:
            raise QueryIdLocked()
        return super().bulk_update(objs, fields, *args, **kwargs)


class NqlApiQuery(models.Model):
    name = models.CharField(max_length=100, help_text="A meaningful name for administrators.")
    query_id = models.CharField(
        "Query ID",
        max_length=QUERY_ID_MAX,
        unique=True,
        validators=[query_id_validate],
        help_text="How API callers name the query: # followed by lowercase letters, digits and "
        "underscores. It cannot be changed after creation.",
    )
    description = models.TextField(blank=True, max_length=2000)
    query = models.TextField(
        "NQL query",
        max_length=10_000,
        help_text="The NQL query; $name stands for a parameter the caller gives.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NqlApiQueryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "NQL API query"
        verbose_name_plural = "NQL API queries"

    def __str__(self) -> str:
        return f"{self.name} ({self.query_id})"

    def save(self, *args, **kwargs):
        # The model layer itself refuses a Query ID change, whatever the caller.
        if self.pk is not None:
            saved = getattr(self, "_saved_query_id", None)
            if saved is None:
                saved = (
                    type(self).objects.filter(pk=self.pk).values_list("query_id", flat=True).first()
                )
            if saved is not None and saved != self.query_id:
                raise QueryIdLocked()
        super().save(*args, **kwargs)
        self._saved_query_id = self.query_id

    def get_absolute_url(self) -> str:
        return reverse("nql_queries:edit", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_query_id = instance.__dict__.get("query_id")
        return instance


class ApiClient(models.Model):
    """A machine that calls the API: an OAuth2 client-credentials application
    (django-oauth-toolkit, which stores only a hash of the secret) with the
    permissions (scopes) an administrator gave it."""

    name = models.CharField(max_length=100, help_text="What the machine is, for administrators.")
    application = models.OneToOneField(
        "oauth2_provider.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nql_client",
    )
    client_id = models.CharField("Client ID", max_length=100, unique=True, editable=False)
    permissions = models.JSONField(
        default=list, blank=True, help_text="OAuth scopes: nql:<table> for each table it may query."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.application_id is not None
