"""Reads of credentials."""

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Lower

from .models import Credential


def credential_list() -> QuerySet[Credential]:
    return Credential.objects.annotate(connector_count=Count("connectors")).order_by("name")


def credential_connector_names(*, credential: Credential) -> list[str]:
    return list(credential.connectors.order_by("name").values_list("name", flat=True))


def credential_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    """The same test as the unique index on Lower(name): iexact compares with
    UPPER() on PostgreSQL, which folds some letters (K, Kelvin sign) differently."""
    qs = Credential.objects.alias(lower_name=Lower("name")).filter(
        lower_name=Lower(Value(name.strip()))
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()
