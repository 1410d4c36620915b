from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from connectors.devices import overview

from .charts import hbar_chart, stacked_columns_chart


class HomeView(TemplateView):
    """The overview. Every signed-in user lands here after login, so the page
    itself needs no permission; each section needs the permission of what it
    shows (devices: connectors.view_device; connectors and runs:
    connectors.view_inboundconnector) and is neither read nor shown without it."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        can_devices = user.has_perm("connectors.view_device")
        can_connectors = user.has_perm("connectors.view_inboundconnector")
        totals, breakdowns = overview.overview_fleet()
        ctx.update(totals=totals, can_devices=can_devices, can_connectors=can_connectors)
        ctx["next_step"] = overview.overview_next_step(totals)
        if can_devices and totals["active"]:
            ctx["breakdowns"] = [(b.title, hbar_chart(b.bars, label=b.title)) for b in breakdowns]
        if can_connectors and totals["connectors"]:
            ctx["connectors"] = overview.overview_connectors()
            days = overview.overview_runs_by_day()
            ctx["runs_total"] = {s: sum(d.counts[s] for d in days) for s in overview.RUN_SERIES}
            ctx["run_legend"] = list(ctx["runs_total"].items())
            ctx["runs_chart"] = stacked_columns_chart(
                days,
                series=overview.RUN_SERIES,
                label=f"Runs per day over the last {overview.RUN_DAYS} days",
            )
            ctx["run_days"] = overview.RUN_DAYS
        return ctx


@cache
def _favicon_bytes() -> bytes:
    return (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()


@login_not_required
@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for on every first load whatever the page links."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
