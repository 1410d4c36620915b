"""Health, usage and drift pages: thin, every read is a selector; every page
needs a permission and answers with a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from connectors.models import InboundConnector
from nexthink_admin.charts import heat_map, line_chart, stacked_columns_chart
from nexthink_admin.paging import page_size
from nexthink_admin.permissions import PermissionMixin

from . import drift_selectors as drift
from . import health_selectors as health
from . import history_selectors as history
from . import retention
from . import usage_selectors as usage
from .services import TRANSITIONAL_STATES, UNHEALTHY_STATES

VIEW_DEVICE = "connectors.view_device"
HEALTH_DAYS = 14


class InsightPage(PermissionMixin, TemplateView):
    """A page of this app: needs its permission, names its navigation entry."""

    nav = ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["insight_nav"] = self.nav
        return ctx


def _url(name: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


class HealthView(InsightPage):
    """What is broken now, and since when."""

    permission_required = VIEW_DEVICE
    template_name = "insight/health.html"
    nav = "health"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        state = self.request.GET.get("state", "").strip()[:32]
        counts = health.problem_counts(now=now)
        page = health.problem_page(
            now=now,
            state=state,
            page=self.request.GET.get("page"),
            per_page=page_size(self.request.GET, health.PAGE_SIZE),
            counts=counts,
        )
        rows = [(d, *health.error_of(d)) for d in page.object_list]
        by_day = history.daily_snapshots(days=HEALTH_DAYS, now=now, fields=("unhealthy",))
        series = history.ChartSeries("Unhealthy, impaired or in error")
        table = []
        for day, snaps in by_day.items():
            value = sum(s.unhealthy for s in snaps)
            url = _url("insight:transitions", day=day.isoformat())
            series.points.append(history.ChartPoint(f"{day.day} {day:%b}", value, url))
            table.append((day, value, url, bool(snaps)))
        can_connectors = self.request.user.has_perm("connectors.view_inboundconnector")
        connectors = health.connector_health(now=now) if can_connectors else []
        snapshots = health.latest_snapshots()
        ctx.update(
            now=now,
            counts=counts,
            state=state,
            page_obj=page,
            rows=rows,
            query=urlencode({"state": state}) if state else "",
            unhealthy_states=UNHEALTHY_STATES,
            transitional_states=TRANSITIONAL_STATES,
            stuck_after=health.stuck_after(),
            flapping=health.flapping(now=now),
            flap_min=settings.INSIGHT_FLAP_TRANSITIONS,
            can_connectors=can_connectors,
            connectors=connectors,
            failing=[c for c in connectors if c.health and c.health.consecutive_failures],
            silent=[c for c in connectors if c.silence],
            stale_total=sum(c.stale_devices for c in connectors),
            stale_capped=any(c.stale_capped for c in connectors),
            pools_collected=any(s.pools for s in snapshots),
            pool_problems=health.pool_problems(snapshots),
            modifications_collected=health.modifications_collected(),
            modifications=health.modifications(),
            chart=line_chart(
                [series], label=f"Unhealthy WorkSpaces per day over {HEALTH_DAYS} days"
            ),
            chart_table=table,
            chart_days=HEALTH_DAYS,
        )
        return ctx


class TransitionListView(InsightPage):
    """State changes, the list behind a point of the health and usage charts."""

    permission_required = VIEW_DEVICE
    template_name = "insight/transitions.html"
    nav = "health"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page, applied = history.transitions_page(params=self.request.GET)
        ctx.update(page_obj=page, applied=applied, query=urlencode(applied))
        return ctx


class RetentionView(InsightPage):
    """How long history is kept and the last clean-up."""

    permission_required = "insight.view_cleanuprecord"
    template_name = "insight/retention.html"
    nav = "retention"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        overview = retention.retention_overview()
        deleted = overview.last_cleanup.deleted if overview.last_cleanup else {}
        ctx.update(
            overview=overview,
            deleted=[(retention.RETENTION_LABELS.get(k, k), n) for k, n in deleted.items()],
        )
        return ctx


def _connector_filter(request) -> int | None:
    value = request.GET.get("connector", "").strip()
    return int(value) if value.isascii() and value.isdigit() and int(value) < 2**63 else None


def _label(day) -> str:
    return f"{day.day} {day:%b}"


def _from_first_sample(days: list, value) -> list:
    """The days of a chart from the first one with a sample: before any run
    sampled it, a day is unknown, not 0% (the table beside still lists every
    day, with "—"). Every day when none has a sample yet."""
    first = next((i for i, item in enumerate(days) if value(item[1]) is not None), 0)
    return days[first:]


class UsageView(InsightPage):
    """Running-mode mix, AUTO_STOP on-hours estimate, pool sessions by hour."""

    permission_required = VIEW_DEVICE
    template_name = "insight/usage.html"
    nav = "usage"
    days = 30

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        connector_id = _connector_filter(self.request)
        by = self.request.GET.get("by", "")
        by = by if by in usage.MIX_BY else ""
        value = self.request.GET.get("value", "").replace("\x00", "").strip()[:100] if by else ""
        # One GROUP BY per connector and hour for the three charts (None where
        # the time zone's offset is not whole hours: each then reads its own).
        hours = history.snapshot_hours(days=self.days, now=now, connector_id=connector_id)
        by_day = history.daily_snapshots(
            days=self.days, now=now, connector_id=connector_id, hours=hours
        )
        mix, modes = usage.running_mode_mix(
            days=self.days, now=now, connector_id=connector_id, by=by, value=value, by_day=by_day
        )
        for day in mix:
            day.url = _url("insight:drift_changes", day=day.day.isoformat(), field="running_mode")
        latest = [
            s
            for s in health.latest_snapshots()
            if connector_id is None or s.connector_id == connector_id
        ]
        share_days = usage.auto_stop_share_by_day(
            days=self.days, now=now, connector_id=connector_id, hours=hours
        )
        share_series = history.ChartSeries("AUTO_STOP samples seen AVAILABLE")
        for day, share in _from_first_sample(share_days, lambda share: share.available_pct):
            share_series.points.append(
                history.ChartPoint(
                    _label(day),
                    share.available_pct or 0,
                    _url("insight:transitions", day=day.isoformat(), to="AVAILABLE"),
                )
            )
        grid = usage.sessions_heat_map(
            days=self.days, now=now, connector_id=connector_id, hours=hours
        )
        pooled_url = _url("pools:list", connector=connector_id)
        heat_rows = [
            (name, [Cell(round(grid.get((dow, h), 0), 1), pooled_url) for h in range(24)])
            for dow, name in enumerate(usage.WEEKDAYS, start=1)
        ]
        utilisation = usage.pool_utilisation_by_day(
            days=self.days, now=now, connector_id=connector_id, by_day=by_day
        )
        page, shares = usage.workspace_shares(
            now=now,
            page=self.request.GET.get("page"),
            connector_id=connector_id,
            per_page=page_size(self.request.GET, usage.PAGE_SIZE),
        )
        ctx.update(
            days=self.days,
            connectors=InboundConnector.objects.order_by("name").only("id", "name"),
            connector_id=connector_id,
            query=urlencode({"connector": connector_id}) if connector_id else "",
            mix_by=by,
            mix_value=value,
            modes=modes,
            mix=mix,
            mix_chart=stacked_columns_chart(
                mix, series=modes, label=f"Running modes per day over {self.days} days"
            ),
            by_compute=usage.mode_breakdown(latest, "running_mode_by_compute_type"),
            by_bundle=usage.mode_breakdown(latest, "running_mode_by_bundle")[:20],
            share7=usage.auto_stop_share(days=7, now=now, connector_id=connector_id),
            share30=usage.auto_stop_share(
                days=self.days, now=now, connector_id=connector_id, hours=hours
            ),
            share_days=share_days,
            share_chart=line_chart(
                [share_series],
                percent=True,
                label="Share of AUTO_STOP samples seen AVAILABLE per day",
            ),
            heat_chart=heat_map(
                heat_rows,
                columns=[f"{h:02d}" for h in range(24)],
                label="Average pool sessions by day of week and hour",
            ),
            heat_rows=heat_rows,
            has_sessions=any(c.value for _, cells in heat_rows for c in cells),
            utilisation=utilisation,
            utilisation_chart=line_chart(
                [
                    history.ChartSeries(
                        "Pool utilisation",
                        [
                            history.ChartPoint(_label(d), v or 0, pooled_url)
                            for d, v in _from_first_sample(utilisation, lambda v: v)
                        ],
                    )
                ],
                percent=True,
                label="Pool utilisation (active over actual sessions) per day",
            )
            if any(v is not None for _, v in utilisation)
            else "",
            page_obj=page,
            workspace_rows=[(d, *shares[d.pk]) for d in page.object_list],
            unused_days=usage.DEFAULT_UNUSED_DAYS,
        )
        return ctx


@dataclass
class Cell:
    value: float
    url: str


class UnusedView(InsightPage):
    """AUTO_STOP WorkSpaces seen STOPPED at every run for N days: likely unused."""

    permission_required = VIEW_DEVICE
    template_name = "insight/unused.html"
    nav = "usage"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        raw = self.request.GET.get("days", "")
        days = int(raw) if raw in {str(d) for d in usage.UNUSED_DAYS} else usage.DEFAULT_UNUSED_DAYS
        connector_id = _connector_filter(self.request)
        page = usage.unused_page(
            days=days,
            now=now,
            page=self.request.GET.get("page"),
            connector_id=connector_id,
            per_page=page_size(self.request.GET, usage.PAGE_SIZE * 2),
        )
        _show_unused_rows(page.object_list)
        params = {"days": days, **({"connector": connector_id} if connector_id else {})}
        ctx.update(
            now=now,
            days=days,
            day_choices=usage.UNUSED_DAYS,
            page_obj=page,
            query=urlencode(params),
            untracked=usage.untracked_auto_stop(connector_id),
        )
        return ctx


def _show_unused_rows(devices) -> None:
    """What each row of Likely unused shows, computed here once per row rather
    than by the template's tags and filters ({% url %} and |date per row were
    most of the page's time at 50 rows): the detail link from one reverse(),
    the local day since which it has been STOPPED, and its whole days."""
    head, _, tail = reverse("devices:detail", args=[0]).rpartition("/0/")
    for device in devices:
        device.detail_url = f"{head}/{device.pk}/{tail}"
        since = timezone.localtime(device.stopped_at).date().isoformat()
        device.stopped_since = f"at least {since}" if device.since_first_seen else since
        days = device.stopped_days
        device.stopped_for = f"{days} day{'' if days == 1 else 's'}"


class DriftView(InsightPage):
    """What changed across the fleet: per day by field, compute types up and
    down, image changes, pools on several images."""

    permission_required = VIEW_DEVICE
    template_name = "insight/drift.html"
    nav = "drift"
    days = 30

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        days, fields = drift.changes_by_day(days=self.days, now=now)
        for day in days:
            day.url = _url("insight:drift_changes", day=day.day.isoformat())
            day.counts = {f"f-{k}": v for k, v in day.counts.items()}
        since = now - timedelta(days=self.days)
        latest = health.latest_snapshots()
        ctx.update(
            days=self.days,
            since=since.date().isoformat(),
            chart=stacked_columns_chart(
                days,
                series=[f"f-{f}" for f in fields],
                label=f"Changes per day by field over {self.days} days",
            ),
            legend=[(f"f-{f}", drift.FIELD_LABELS[f]) for f in fields],
            table=[
                (
                    d.day,
                    [
                        (
                            d.counts.get(f"f-{f}", 0),
                            _url("insight:drift_changes", day=d.day.isoformat(), field=f),
                        )
                        for f in fields
                    ],
                )
                for d in days
            ],
            field_labels=[drift.FIELD_LABELS[f] for f in fields],
            compute=drift.compute_type_changes(since=since),
            bundles=drift.bundle_image_changes(since=since),
            several_images=drift.pools_with_several_images(latest),
            outdated=drift.outdated_image_count(latest),
        )
        return ctx


class DriftChangeListView(InsightPage):
    """The changes behind a point of the drift charts and tables."""

    permission_required = VIEW_DEVICE
    template_name = "insight/drift_changes.html"
    nav = "drift"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page, applied = drift.changes_page(params=self.request.GET)
        ctx.update(
            page_obj=page,
            applied=applied,
            query=urlencode(applied),
            field_labels=drift.FIELD_LABELS,
        )
        return ctx
