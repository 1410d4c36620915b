"""Writes: saved NQL API queries and API clients. Views, forms and the admin
call these; nothing else creates, changes or deletes them."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.models import Application

from nexthink_admin.audit import audit_diff, audit_record, audit_snapshot

from . import ast as a
from .compiler import ANY_PARAMS, compile_query
from .models import ApiClient, NqlApiQuery, query_id_validate
from .tables import tables

AUDITED = ("name", "query_id", "description", "query")
CLIENT_SECRET_BYTES = 48


def nql_query_validate(*, text: str) -> str:
    """The query, or a ValidationError saying where it is wrong."""
    try:
        compile_query(text, params=ANY_PARAMS)
    except a.NqlError as error:
        raise ValidationError(str(error), code="nql") from None
    return text


def nql_api_query_create(
    *, name: str, query_id: str, description: str, query: str, user=None
) -> NqlApiQuery:
    query_id_validate(query_id)
    nql_query_validate(text=query)
    taken = ValidationError({"query_id": "Another NQL API query has this Query ID."})
    if NqlApiQuery.objects.filter(query_id=query_id).exists():
        raise taken
    try:
        with transaction.atomic():
            api_query = NqlApiQuery.objects.create(
                name=name.strip(),
                query_id=query_id,
                description=description.strip(),
                query=query.strip(),
                created_by=user if user is not None and user.is_authenticated else None,
            )
            audit_record(
                actor=user,
                action="created",
                obj=api_query,
                object_type="nql api query",
                changes=audit_diff({}, audit_snapshot(api_query, AUDITED)),
            )
    except IntegrityError:  # created by someone else between the check and the insert
        raise taken from None
    return api_query


def nql_api_query_update(
    *, api_query: NqlApiQuery, name: str, description: str, query: str, user=None
) -> NqlApiQuery:
    """Name, description and query change; the Query ID never does (no argument for it)."""
    nql_query_validate(text=query)
    before = audit_snapshot(NqlApiQuery.objects.get(pk=api_query.pk), AUDITED)
    api_query.name, api_query.description, api_query.query = (
        name.strip(),
        description.strip(),
        query.strip(),
    )
    with transaction.atomic():
        api_query.save(update_fields=["name", "description", "query", "updated_at"])
        changes = audit_diff(before, audit_snapshot(api_query, AUDITED))
        if changes:
            audit_record(
                actor=user,
                action="changed",
                obj=api_query,
                object_type="nql api query",
                changes=changes,
            )
    return api_query


def nql_api_query_delete(*, api_query: NqlApiQuery, user=None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="deleted", obj=api_query, object_type="nql api query")
        api_query.delete()


def api_scopes_validate(*, permissions: list[str]) -> list[str]:
    known = {t.scope for t in tables().values()}
    unknown = [p for p in permissions if p not in known]
    if unknown:
        raise ValidationError(f"Unknown permissions: {', '.join(unknown)}")
    if not permissions:
        raise ValidationError("Give the client at least one permission.")
    return sorted(set(permissions))


def api_client_create(*, name: str, permissions: list[str], user=None) -> tuple[ApiClient, str]:
    """A machine client and its secret. The secret is returned this once:
    django-oauth-toolkit stores only its hash."""
    permissions = api_scopes_validate(permissions=permissions)
    secret = secrets.token_urlsafe(CLIENT_SECRET_BYTES)
    with transaction.atomic():
        application = Application.objects.create(
            name=name.strip()[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
            user=None,
        )
        client = ApiClient.objects.create(
            name=name.strip(),
            application=application,
            client_id=application.client_id,
            permissions=permissions,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        audit_record(
            actor=user,
            action="created",
            obj=client,
            object_type="api client",
            changes={"name": [None, client.name], "permissions": [None, " ".join(permissions)]},
        )
    return client, secret


def api_client_revoke(*, client: ApiClient, user=None) -> ApiClient:
    """The client can no longer get tokens; the tokens it has stop working now."""
    with transaction.atomic():
        if client.application_id is not None:
            Application.objects.filter(pk=client.application_id).delete()  # tokens cascade
        client.application = None
        client.revoked_at = client.revoked_at or timezone.now()
        client.save(update_fields=["application", "revoked_at"])
        audit_record(
            actor=user,
            action="changed",
            obj=client,
            object_type="api client",
            changes={"revoked": [None, "revoked"]},
        )
    return client
