"""Reads for the audit trail page: each event's object and changes as a person
reads them (field labels, choice labels, names of referenced objects, links to
what still exists), in a constant number of queries per page."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from .models import AuditEvent

# object_type (as the services record it) -> model
OBJECT_MODELS = {
    "credential": "credentials.Credential",
    "connector": "connectors.InboundConnector",
    "nql api query": "nql.NqlApiQuery",
    "api client": "nql.ApiClient",
}


@dataclass
class Shown:
    text: str
    url: str = ""


@dataclass
class ChangeRow:
    label: str
    old: Shown | None
    new: Shown | None


@dataclass
class EventRow:
    event: AuditEvent
    type_label: str
    object: Shown
    changes: list[ChangeRow] = field(default_factory=list)


def _model(object_type: str):
    name = OBJECT_MODELS.get(object_type)
    return apps.get_model(name) if name else None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        for f in model._meta.concrete_fields:
            if f.attname == name:  # credential_id -> credential
                return f
    return None


def _plain(value: str) -> str:
    """A recorded dict ("{'region': 'eu-west-1'}") as "region: eu-west-1"."""
    if value.startswith("{") and value.endswith("}"):
        try:
            data = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        if isinstance(data, dict):
            return ", ".join(f"{k}: {v}" for k, v in data.items()) or "—"
    return value


def audit_event_rows(events: list[AuditEvent]) -> list[EventRow]:
    """One query per kind of object referenced (the events' own objects and the
    objects their changes name), whatever the number of events."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for e in events:
        model = _model(e.object_type)
        if model is not None:
            wanted[model].add(e.object_id)
        for name, pair in (e.changes or {}).items():
            f = _field(model, name)
            if f is not None and f.is_relation and f.many_to_one:
                wanted[f.related_model].update(int(v) for v in pair if v and str(v).isdigit())
    found = {
        model: {o.pk: o for o in model._default_manager.filter(pk__in=ids)}
        for model, ids in wanted.items()
    }

    def shown(f, value: str | None) -> Shown | None:
        if value is None:
            return None
        if f is not None and f.is_relation and f.many_to_one:
            target = found.get(f.related_model, {}).get(int(value)) if value.isdigit() else None
            if target is None:
                return Shown(f"{f.related_model._meta.verbose_name} #{value} (deleted)")
            return Shown(str(target), getattr(target, "get_absolute_url", lambda: "")())
        if f is not None and f.choices:
            labels = {str(k): str(v) for k, v in f.flatchoices}
            return Shown(labels.get(value, value))
        if f is not None and f.get_internal_type() == "BooleanField":
            return Shown({"True": "Yes", "False": "No"}.get(value, value))
        return Shown(_plain(value))

    rows = []
    for e in events:
        model = _model(e.object_type)
        obj = found.get(model, {}).get(e.object_id) if model is not None else None
        url = getattr(obj, "get_absolute_url", lambda: "")() if e.action != "deleted" else ""
        changes = []
        for name, pair in (e.changes or {}).items():
            f = _field(model, name)
            label = capfirst(str(f.verbose_name)) if f is not None else name.replace("_", " ")
            old, new = (list(pair) + [None, None])[:2]
            changes.append(ChangeRow(label, shown(f, old), shown(f, new)))
        type_label = str(model._meta.verbose_name) if model is not None else e.object_type
        rows.append(EventRow(e, capfirst(type_label), Shown(e.object_repr, url), changes))
    return rows
