"""Nothing sensitive in the probes, the metrics or the Operations page:
no External ID, role ARN, customer account, issued key, secret setting, host
name, database or broker address, nor any version."""

import platform
import re
import socket
import sys
from importlib.metadata import version

import celery
import django
import pytest
from django.db import connection
from django.urls import reverse

from connectors.aws_workspaces import aws
from connectors.runs import run_execute
from operations.models import BEAT
from operations.services import heartbeat_record
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def issued_keys(monkeypatch) -> list[str]:
    keys: list[str] = []
    real = aws.assume_role_session

    def recording(**kwargs):
        session = real(**kwargs)
        frozen = session.get_credentials().get_frozen_credentials()
        keys.extend([frozen.access_key, frozen.secret_key, frozen.token])
        return session

    monkeypatch.setattr(aws, "assume_role_session", recording)
    return keys


def versions() -> list[str]:
    return [
        django.get_version(),
        platform.python_version(),
        version("prometheus_client"),
        celery.__version__,
        "python_info",
        "process_start_time",
    ]


@pytest.mark.parametrize("broker", ["broker_up", "broker_down"])
def test_probes_metrics_and_page_reveal_nothing_sensitive(
    request, broker, client, make_user, aws_sim, aws_connector, issued_keys, settings
):
    broker_url = request.getfixturevalue(broker)
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=10, pools=1, sessions_per_pool=2)
    assert run_execute(connector_id=aws_connector.pk, trigger="command").status == "succeeded"
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="another-one")
    assert run_execute(connector_id=aws_connector.pk, trigger="command").status == "failed"
    heartbeat_record(name=BEAT)
    settings.METRICS_TOKEN = TOKEN

    answers = {
        "healthz": client.get(reverse("operations:healthz")),
        "readyz": client.get(reverse("operations:readyz")),
        "metrics": client.get(reverse("operations:metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}"),
        "metrics refused": client.get(reverse("operations:metrics")),
    }
    client.force_login(make_user("operator", "operations.view_operations"))
    answers["page"] = client.get(reverse("operations:page"))
    assert answers["metrics"].status_code == 200 and answers["page"].status_code == 200

    credential = aws_connector.credential
    db = connection.settings_dict
    secrets = {
        "External ID": credential.external_id,
        "role ARN": credential.role_arn,
        "customer account": CUSTOMER_ACCOUNT,
        "SECRET_KEY": settings.SECRET_KEY,
        "metrics token": TOKEN,
        "broker URL": broker_url,
        "database": str(db["NAME"]),
        **{f"issued key {i}": key for i, key in enumerate(issued_keys)},
    }
    if db.get("HOST"):
        secrets["database host"] = db["HOST"]
    for where, response in answers.items():
        text = response.content.decode() + "".join(f"{k}: {v}\n" for k, v in response.items())
        for what, value in secrets.items():
            assert value and value not in text, f"{where} shows the {what}"
        # As a whole word: a short host name ("vm") is found inside random tokens.
        host = re.compile(rf"(?<![\w.-]){re.escape(socket.gethostname())}(?![\w-])")
        assert not host.search(text), f"{where} shows the host name"
        if where != "page":  # the page is a signed-in administrator's, like every page
            for version in versions():
                assert version not in text, f"{where} shows a version ({version})"
    assert sys.version.split()[0] not in answers["readyz"].content.decode()
