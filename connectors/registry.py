"""Connector types: what each kind of inbound connector brings to the generic code.

In the manner of NetBox's data backends: a type is a class that declares its
name (stored in InboundConnector.connector_type and used in URLs), its label,
its parameters as form fields (stored in InboundConnector.parameters), how it
checks and labels them, its collector, and its own pages (the Test results
endpoint). Runs, devices, views, forms and admin ask this module; they never
import a type's package. A second type is a folder beside
connectors/aws_workspaces/ and one line in TYPES.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django import forms
from django.urls import URLPattern, URLResolver, include, path
from django.utils.module_loading import import_string

# One line per connector type: where its class lives (imported on first use).
TYPES = ("connectors.aws_workspaces.connector_type.AwsWorkspacesType",)


class CollectionFailed(Exception):
    """Raised by a type's collector when the run cannot go on (the role cannot
    be assumed, the main listing fails). `error` has the action, code,
    message and request_id of the call that failed; `hint` says what to check."""

    def __init__(self, error: Any, hint: str = ""):
        self.error, self.hint = error, hint
        super().__init__(f"{error.action}: {error.code}: {error.message}")


class CollectionStopped(Exception):
    """Raised by a type's collector when the run's stop signal (the `stop`
    event given to collect()) was set: storage failed or the lease was lost.
    Every thread of the collector stops before its next call."""


@dataclass(frozen=True)
class ParameterValue:
    label: str  # the parameter's label, such as "Region"
    value: str  # as stored, such as "eu-west-1"
    display: str  # as a reader sees it, such as "Europe (Ireland) (eu-west-1)"


class ConnectorType:
    """Subclass it in the type's package and list it in TYPES."""

    name: str = ""  # stored in InboundConnector.connector_type; a URL slug
    label: str = ""
    description: str = ""  # the chooser's tile
    logo: str = ""  # a few letters on the chooser's tile
    credential_protocol: str = ""  # the connector credentials it can use
    urls: str = ""  # module of the type's own URLs, served under connectors/<name>/
    test_url_name: str = ""  # the Test results endpoint the connector form posts to
    test_intro: str = ""  # what the Test results panel does, in a sentence

    def parameter_fields(self) -> dict[str, forms.Field]:
        """The type's parameters as form fields (fresh instances), in order."""
        return {}

    def clean_parameters(self, parameters: dict, *, credential) -> dict[str, str]:
        """Checks across parameters and the credential: error message by parameter."""
        return {}

    def overlap_warning(self, parameters: dict, *, credential, exclude_pk=None) -> str:
        """A warning when another connector (not `exclude_pk`) already reads what
        these settings would read; "" when none does. Never blocks a save."""
        return ""

    def credential_verify(self, credential) -> Any:
        """Prove a credential of this type's protocol works, calling nothing else
        (AWS: AssumeRole with the External ID). Never raises; the outcome has
        ok, code, message, hint and reached_aws (False: the service was not reached)."""
        raise NotImplementedError

    def credential_hint(self, code: str) -> str:
        """What to check after a failed credential_verify answered `code`."""
        return ""

    def parameter_values(self, parameters: dict) -> list[ParameterValue]:
        """The stored parameters labelled for the connector's pages."""
        values = []
        for name, field in self.parameter_fields().items():
            value = str(parameters.get(name, ""))
            choices = dict(getattr(field, "choices", None) or ())
            display = str(choices.get(value, value))
            values.append(ParameterValue(str(field.label or name.capitalize()), value, display))
        return values

    def call_stats(self) -> Any:
        """A fresh counter of API calls for one run: `calls` (by action) and `throttled`."""
        raise NotImplementedError

    def collect(
        self, connector, *, stats: Any, on_page: Callable, stop: threading.Event | None = None
    ) -> tuple[Any, Iterable[list]]:
        """Start a collection: the collector (`complete`, `errors`, `progress`)
        and its batches of records. Raises CollectionFailed when it cannot start,
        CollectionStopped once `stop` is set. Closing the batches stops its threads."""
        raise NotImplementedError

    def device_values(self, record: Any, *, connector) -> dict:
        """One collected record as the device row stores it (None: keep what it has)."""
        raise NotImplementedError

    def reconcile_values(self, values: dict, *, device) -> dict:
        """The values to store given the device as stored (None when new): for
        facts no response tells directly, such as the image a WorkSpace runs."""
        return values

    # A type whose collector also yields records that are not devices (AWS
    # WorkSpaces: pools and their sessions) stores them through these two.
    def store_more(
        self, batch: list, *, connector, run, now, guard: Callable | None = None
    ) -> tuple[list, Any]:
        """Store the records of a batch that are not devices; return the
        device records left and the counts (connectors/devices/services.py
        UpsertCounts, or None) of what was stored."""
        return batch, None

    def mark_removed_more(self, *, connector, run, now, guard: Callable | None = None) -> int:
        """After a complete run only: mark what the run did not see among the
        type's other records; returns how many the run counts as removed."""
        return 0


@cache
def _registered() -> dict[str, ConnectorType]:
    types = (import_string(dotted)() for dotted in TYPES)
    return {connector_type.name: connector_type for connector_type in types}


def connector_types() -> list[ConnectorType]:
    return list(_registered().values())


def connector_type(name: str) -> ConnectorType:
    """The registered type called `name`; LookupError when there is none."""
    try:
        return _registered()[name]
    except KeyError:
        raise LookupError(f"No connector type '{name}'") from None


def credential_type(protocol: str) -> ConnectorType:
    """The type whose connectors use credentials of `protocol` (it verifies them)."""
    for kind in connector_types():
        if kind.credential_protocol == protocol:
            return kind
    raise LookupError(f"No connector type uses '{protocol}' credentials")


def parameter_labels() -> list[str]:
    """The labels of every type's parameters, once each: the connector list's columns."""
    labels: dict[str, None] = {}
    for kind in connector_types():
        labels.update(
            (str(f.label or n.capitalize()), None) for n, f in kind.parameter_fields().items()
        )
    return list(labels)


def type_urlpatterns() -> list[URLPattern | URLResolver]:
    """Each type's own URLs, under <name>/, in the connectors namespace."""
    return [path(f"{t.name}/", include(t.urls)) for t in connector_types() if t.urls]
