"""Point the test process's Celery app at a given broker, for real publishing
(not eager), and back. Celery caches its connection and producer pools: both
are dropped, so the next publish connects to the broker named here."""

from contextlib import contextmanager

from nexthink_admin.celery import app as celery_app


def drop_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def real_broker(url: str):
    celery_app.conf.update(task_always_eager=False, broker_url=url)
    drop_pools()
    try:
        yield celery_app
    finally:
        celery_app.conf.update(task_always_eager=True)
        drop_pools()
