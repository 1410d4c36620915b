"""Reads: running NQL (bounded, checked against who asks), saved queries, clients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from django.core.paginator import Page, Paginator

from connectors.devices.cache import devices_version

from . import ast as a
from .cache import cacheable, cached_run
from .compiler import compile_query
from .models import ApiClient, NqlApiQuery
from .parser import parse
from .rollup import rollup_dimensions, rollup_plan
from .runner import NqlResult, plan_run
from .tables import NqlTable

PAGE_SIZE = 50


def user_can_query(user) -> Callable[[NqlTable], bool]:
    return lambda table: user.has_perm(table.permission)


def scopes_can_query(scopes: Iterable[str]) -> Callable[[NqlTable], bool]:
    granted = set(scopes)
    return lambda table: table.scope in granted


def nql_run(
    *,
    text: str,
    can_query: Callable[[NqlTable], bool],
    params: Mapping[str, object] | None = None,
    now: datetime | None = None,
    default_rows: int | None = None,
    max_rows: int | None = None,
) -> NqlResult:
    """Parse, check, compile and run one query. Raises NqlError (bad query,
    NqlPermissionDenied, NqlTimeout) with a message for the person who wrote it."""
    query = parse(text)
    plan = compile_query(query, params=params, now=now)
    if not can_query(plan.table):
        raise a.NqlPermissionDenied(
            f"you do not have permission to query the {plan.table.name} table", query.table_pos
        )

    dimensions = rollup_dimensions(query)
    cache_it = now is None and cacheable(query, plan)
    version = devices_version() if cache_it else None

    def compute() -> NqlResult:
        chosen = plan
        if dimensions is not None:  # counted from the devices rollup when it is current
            answer = rollup_plan(query, dimensions, params=params, now=plan.now, version=version)
            chosen = answer or plan
        return plan_run(chosen, default_rows=default_rows, max_rows=max_rows)

    if cache_it:
        return cached_run(
            text=text,
            params=params,
            bounds=(default_rows, max_rows),
            compute=compute,
            version=version,
        )
    return compute()


def nql_parameters(*, text: str) -> list[str]:
    """The $names a query takes, in order of first use."""
    names: list[str] = []

    def walk(node) -> None:
        if isinstance(node, a.Literal):
            if node.kind == "param" and node.value not in names:
                names.append(node.value)
        elif isinstance(node, tuple | list):
            for item in node:
                walk(item)
        elif hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                walk(getattr(node, name))

    walk(parse(text))
    return names


def _render(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(
            value, ensure_ascii=False
        )  # "..." with \" and \\ escaped, as NQL reads them
    return repr(value)


def nql_executed_text(*, text: str, params: Mapping[str, object]) -> str:
    """The query as run: each $name replaced by its value written as a literal."""
    spans = []

    def walk(node) -> None:
        if isinstance(node, a.Literal):
            if node.kind == "param" and node.span:
                spans.append((node.span, node.value))
        elif isinstance(node, tuple | list):
            for item in node:
                walk(item)
        elif hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                walk(getattr(node, name))

    walk(parse(text))
    out = text
    for (start, end), name in sorted(spans, reverse=True):
        if name in params:
            out = out[:start] + _render(params[name]) + out[end:]
    return out


def nql_api_query_page(*, page: str | None, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(NqlApiQuery.objects.select_related("created_by"), per_page).get_page(page)


def nql_api_query_by_query_id(*, query_id: str) -> NqlApiQuery | None:
    return NqlApiQuery.objects.filter(query_id=query_id).first()


def api_client_page(*, page: str | None, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(ApiClient.objects.select_related("created_by"), per_page).get_page(page)


def api_client_for_application(*, application_id: int) -> ApiClient | None:
    return ApiClient.objects.filter(application_id=application_id, revoked_at__isnull=True).first()
