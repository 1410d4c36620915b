"""Reads of credentials."""

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Lower

from nexthink_admin.names import name_key

from .models import Credential, Verification


def credential_list() -> QuerySet[Credential]:
    return Credential.objects.annotate(connector_count=Count("connectors")).order_by("name")


def credential_connector_names(*, credential: Credential) -> list[str]:
    return list(credential.connectors.order_by("name").values_list("name", flat=True))


def credential_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    """True when another credential has the same name after NFKC and case
    folding (nexthink_admin.names), or the same under the unique index on
    Lower(name) (iexact would compare with UPPER() on PostgreSQL, which folds
    some letters differently). Credentials are few (one per AWS account or
    role), so every name is compared."""
    others = Credential.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if (
        others.alias(lower_name=Lower("name"))
        .filter(lower_name=Lower(Value(name.strip())))
        .exists()
    ):
        return True
    key = name_key(name)
    return any(name_key(other) == key for other in others.values_list("name", flat=True))


def credential_verification_hint(*, credential: Credential) -> str:
    """What to check after the last Verify failed ("" otherwise)."""
    if credential.verification != Verification.FAILED:
        return ""
    from connectors.registry import credential_type

    return credential_type(credential.protocol).credential_hint(credential.verification_code)
