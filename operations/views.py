"""Health probes (public, JSON), Prometheus metrics (token or allow-list) and
the Operations page (administrators)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from prometheus_client import CONTENT_TYPE_LATEST

from nexthink_admin.permissions import PermissionMixin

from . import access, metrics, probes, selectors

OK, FAILING, UNKNOWN = "ok", "failing", "unknown"


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers requests."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers, the broker answers, no migration is pending.
    Says which check failed, never why (no host, URL or error text)."""
    database = probes.database_ok()
    checks = {
        "database": OK if database else FAILING,
        "broker": OK if probes.broker_ok() else FAILING,
        "migrations": (OK if probes.migrations_applied() else FAILING) if database else UNKNOWN,
    }
    ready = all(value == OK for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


@login_not_required
@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    verdict = access.metrics_access(request)
    if verdict == access.UNAUTHENTICATED:
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if verdict != access.ALLOWED:
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics.metrics_text(), content_type=CONTENT_TYPE_LATEST)


class OperationsView(PermissionMixin, TemplateView):
    permission_required = "operations.view_operations"
    template_name = "operations/page.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        beat = probes.beat_status()
        broker = probes.broker_ok()
        workers = probes.workers_status() if broker else probes.Workers(reachable=False)
        tasks = [task for worker in workers.workers for task in worker.active]
        names = selectors.connector_names(t.connector_id for t in tasks if t.connector_id)
        for task in tasks:
            task.connector_name = names.get(task.connector_id, "")
        ctx.update(
            beat=beat,
            broker_ok=broker,
            database_ok=probes.database_ok(),
            migrations_ok=probes.migrations_applied(),
            workers=workers,
            check_timeout=probes.timeout(),
            queue_depth=probes.queue_depth() if broker else None,
            runs=selectors.runs_per_status(),
            run_hours=selectors.RUN_WINDOW_HOURS,
            retention=selectors.retention(),
            rollup=selectors.device_rollup(),
        )
        ctx["problems"] = problems(ctx)
        return ctx


def problems(ctx: dict) -> list[tuple[str, str]]:
    """(what is wrong, what to do), most fundamental first."""
    found = []
    if not ctx["database_ok"]:
        found.append(
            (
                "The database does not answer.",
                "Check that it runs and that DATABASE_URL points at it.",
            )
        )
    elif not ctx["migrations_ok"]:
        found.append(
            ("Migrations are pending.", "Run `python manage.py migrate`, then restart the workers.")
        )
    if not ctx["broker_ok"]:
        found.append(
            (
                "The broker (Redis) does not answer: nothing is queued or run.",
                "Start Redis (with `make run`, its `redis` process) and check REDIS_URL.",
            )
        )
    beat = ctx["beat"]
    if not beat.alive:
        when = (
            f"has not beaten for {int(beat.age_seconds)} seconds"
            if beat.last_beat
            else "has never recorded a heartbeat"
        )
        found.append(
            (
                f"Beat {when}: no connector runs on its schedule.",
                "Start exactly one beat: `celery -A nexthink_admin beat` (with `make run`, its "
                "`beat` process).",
            )
        )
    if ctx["broker_ok"] and not ctx["workers"].workers:
        found.append(
            (
                f"No worker answered within {ctx['check_timeout']:g} s: queued runs wait.",
                "Start a worker: `celery -A nexthink_admin worker` (with `make run`, its `worker` "
                "process), and check that it uses the same REDIS_URL as this console.",
            )
        )
    return found
