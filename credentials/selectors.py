"""Reads of credentials."""
from django.db.models import Count, QuerySet

from .models import Credential


def credential_list() -> QuerySet[Credential]:
    return Credential.objects.annotate(connector_count=Count("connectors")).order_by("name")


def credential_connector_names(*, credential: Credential) -> list[str]:
    return list(credential.connectors.order_by("name").values_list("name", flat=True))


def credential_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    qs = Credential.objects.filter(name__iexact=name.strip())
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()
