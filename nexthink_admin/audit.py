"""Writes to the audit trail; the credential and connector services call it
inside their own transactions."""

from __future__ import annotations

from django.db import models

from .models import AuditEvent

NEVER_RECORDED = frozenset({"external_id", "password", "secret", "token"})


def audit_snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict:
    return {name: getattr(obj, name) for name in fields if name not in NEVER_RECORDED}


def audit_diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_record(
    *, actor, action: str, obj: models.Model, object_type: str, changes: dict | None = None
) -> AuditEvent:
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    safe = {
        k: [str(v) if v is not None else None for v in pair]
        for k, pair in (changes or {}).items()
        if k not in NEVER_RECORDED
    }
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        object_type=object_type,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        changes=safe,
    )
