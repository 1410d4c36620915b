"""The "Pool load by hour" page: how busy each pool is in each hour of the
week (a pool picked from the latest snapshots), beside the Usage page."""

from __future__ import annotations

from django.utils import timezone

from nexthink_admin.charts import heat_map

from . import health_selectors as health
from . import pool_usage
from .usage_selectors import WEEKDAYS
from .views import VIEW_DEVICE, Cell, InsightPage, _url


class PoolLoadView(InsightPage):
    permission_required = VIEW_DEVICE
    template_name = "insight/pool_load.html"
    nav = "usage"
    days = 30

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        choices = pool_usage.pool_choices(health.latest_snapshots())
        key = self.request.GET.get("pool", "").replace("\x00", "")[:200]
        choice = pool_usage.pool_choice(choices, key) if key else None
        if choice is None and choices and not key:
            choice = choices[0]
        rows, table = [], []
        if choice is not None:
            load = pool_usage.pool_load_by_hour(choice=choice, days=self.days, now=now)
            url = _url("pools:list", q=choice.name, connector=choice.connector_id)
            for dow, name in enumerate(WEEKDAYS, start=1):
                hours = [load.get((dow, h)) for h in range(24)]
                rows.append((name, [Cell(round(x.active, 1) if x else 0, url) for x in hours]))
                table.append((name, hours))
        ctx.update(
            days=self.days,
            choices=choices,
            choice=choice,
            unknown=bool(key) and choice is None,
            heat_chart=heat_map(
                rows,
                columns=[f"{h:02d}" for h in range(24)],
                label=f"Average active sessions of {choice.name} by day of week and hour"
                if choice
                else "",
            )
            if rows
            else "",
            table=table,
            has_load=any(c.value for _, cells in rows for c in cells),
        )
        return ctx
