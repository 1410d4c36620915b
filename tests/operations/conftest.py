import pytest

from nexthink_admin.celery import app as celery_app

# A port nothing listens on: connecting is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_up(redis_url):
    """The console's broker is a real, running Redis."""
    before = celery_app.conf.broker_url
    celery_app.conf.broker_url = redis_url
    yield redis_url
    celery_app.conf.broker_url = before


@pytest.fixture
def broker_down():
    before = celery_app.conf.broker_url
    celery_app.conf.broker_url = DEAD_BROKER
    yield DEAD_BROKER
    celery_app.conf.broker_url = before


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
