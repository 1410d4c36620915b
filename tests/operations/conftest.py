import pytest

from nexthink_admin.celery import app as celery_app

# A port nothing listens on: connecting is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


def use_broker(url: str) -> None:
    """Point the app at `url`, dropping the producer pool an earlier test may
    have built for another broker (inspect and ping publish through it)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_up(redis_url):
    """The console's broker is a real, running Redis."""
    before = celery_app.conf.broker_url
    use_broker(redis_url)
    yield redis_url
    use_broker(before)


@pytest.fixture
def broker_down():
    before = celery_app.conf.broker_url
    use_broker(DEAD_BROKER)
    yield DEAD_BROKER
    use_broker(before)


@pytest.fixture
def threads_worker(broker_up):
    """A real Celery worker with a pool of two threads: unlike the solo pool,
    it answers inspect and ping while it runs a task, as prefork workers do."""
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.update(task_always_eager=False)
    celery_app.connection_for_write().ensure_connection(max_retries=3)
    try:
        with start_worker(
            celery_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10
        ):
            yield celery_app
    finally:
        celery_app.conf.update(task_always_eager=True)


@pytest.fixture
def operator(make_user):
    """Someone who may see the Operations page."""
    return make_user("operator", "operations.view_operations")


def queue_run(broker_url: str, **kwargs) -> None:
    """Queue run_connector on `broker_url` itself: the app's producer pool may
    have been built, with the default broker, by an earlier test."""
    from connectors.tasks import run_connector

    with celery_app.connection_for_write(broker_url) as conn:
        run_connector.apply_async(kwargs=kwargs, connection=conn)
