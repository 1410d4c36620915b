"""Reads of pools and their sessions for the Pools page, the pool page and
the NQL tables. The list view lives in the query string: `q` (name or pool
id), `connector`, `state`, `status` (active by default)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from ..models import InboundConnector, Pool, PoolSession

PAGE_SIZE = 50
SESSIONS_PAGE_SIZE = 50
MAX_QUERY_LENGTH = 200
MAX_ID = 2**63 - 1
DEFAULT_STATUS = "active"
STATUSES = (("active", "Active"), ("removed", "Removed"), ("all", "All"))
SESSION_VIEWS = (("current", "Current"), ("ended", "Ended"), ("all", "All"))


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class PoolQuery:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # connector, state
    status: str = DEFAULT_STATUS

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.filters or self.status != DEFAULT_STATUS)

    def params(self, **overrides: str | None) -> dict[str, str]:
        params = {"q": self.q, **self.filters, "status": self.status, **overrides}
        if params.get("status") == DEFAULT_STATUS:
            params.pop("status")
        return {k: v for k, v in params.items() if v}


def pool_query_parse(*, params: Mapping[str, str]) -> PoolQuery:
    filters = {key: _clean(params.get(key)) for key in ("connector", "state")}
    return PoolQuery(
        q=_clean(params.get("q")),
        filters={k: v for k, v in filters.items() if v},
        status=_clean(params.get("status")) or DEFAULT_STATUS,
    )


def _filtered(query: PoolQuery) -> QuerySet[Pool]:
    qs = Pool.objects.all()
    if query.q:
        qs = qs.filter(Q(name__icontains=query.q) | Q(pool_id__icontains=query.q))
    connector = query.filters.get("connector")
    if connector:
        is_id = connector.isascii() and connector.isdigit() and int(connector) <= MAX_ID
        qs = qs.filter(connector_id=int(connector)) if is_id else qs.none()
    if "state" in query.filters:
        qs = qs.filter(state=query.filters["state"])
    status = {
        "active": Q(removed_at__isnull=True),
        "removed": Q(removed_at__isnull=False),
        "all": Q(),
    }.get(query.status)
    return qs.filter(status) if status is not None else qs.none()


def pool_list(*, query: PoolQuery) -> QuerySet[Pool]:
    """The pools of the view by name, with their connector and open sessions counted."""
    return (
        _filtered(query)
        .select_related("connector")
        .annotate(open_sessions=Count("sessions", filter=Q(sessions__ended_at__isnull=True)))
        .order_by("name", "id")
    )


def pool_page(*, query: PoolQuery, page: str | None) -> Page:
    return Paginator(pool_list(query=query), PAGE_SIZE).get_page(page)


@dataclass
class PoolChoices:
    connectors: list[tuple[str, str]]
    states: list[str]


def pool_choices() -> PoolChoices:
    """The connector and state filters' options: those pools use."""
    connector_ids = Pool.objects.order_by().values("connector_id").distinct()
    connectors = InboundConnector.objects.filter(pk__in=connector_ids).order_by("name")
    states = Pool.objects.order_by("state").values_list("state", flat=True).distinct()
    return PoolChoices(
        connectors=[(str(c.pk), c.name) for c in connectors], states=[s for s in states if s]
    )


def pool_any_exists() -> bool:
    return Pool.objects.exists()


def pool_detail(*, pk: int) -> Pool:
    return Pool.objects.select_related("connector", "last_seen_run").get(pk=pk)


def pool_sessions(*, pool: Pool, view: str, page: str | None) -> Page:
    """The pool's sessions, newest first: current (not ended), ended (the
    recent history) or all."""
    sessions = PoolSession.objects.filter(pool=pool)
    if view == "current":
        sessions = sessions.filter(ended_at__isnull=True)
    elif view == "ended":
        sessions = sessions.filter(ended_at__isnull=False)
    return Paginator(sessions.order_by("-session_start", "-id"), SESSIONS_PAGE_SIZE).get_page(page)


def pool_session_counts(*, pool: Pool) -> dict[str, int]:
    counts = PoolSession.objects.filter(pool=pool).aggregate(
        current=Count("id", filter=Q(ended_at__isnull=True)),
        ended=Count("id", filter=Q(ended_at__isnull=False)),
    )
    counts["all"] = counts["current"] + counts["ended"]
    return counts
