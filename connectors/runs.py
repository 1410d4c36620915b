"""Run execution. The collection itself arrives with the collection engine;
until then a triggered run is recorded and stays queued."""
from .choices import RunStatus, RunTrigger
from .models import InboundConnector, Run


def run_execute(*, connector_id: int, run_id: int | None = None) -> Run | None:
    connector = InboundConnector.objects.filter(pk=connector_id).first()
    if connector is None:
        return None
    if run_id is not None:
        return Run.objects.filter(pk=run_id, connector=connector).first()
    return Run.objects.create(connector=connector, status=RunStatus.QUEUED, trigger=RunTrigger.SCHEDULE)
