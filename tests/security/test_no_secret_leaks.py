"""No credential material leaves where it belongs.

The secrets: a credential's External ID (stored on the credential row, shown
on its own page and read-only in the Django admin, nowhere else) and the
AccessKeyId / SecretAccessKey / SessionToken that AssumeRole issues (kept in
memory only). They must not appear in Celery task arguments, beat schedules,
logs, run rows or any other row, JSON answers or pages."""

import json
import logging
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from connectors import runs
from connectors.aws_workspaces import aws
from connectors.models import InboundConnector, Run
from credentials.models import Credential
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME
from tests.connectors.factories import form_data

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@pytest.fixture
def issued_keys(monkeypatch) -> list[str]:
    """The AccessKeyId, SecretAccessKey and SessionToken of every role session the app assumes."""
    keys: list[str] = []
    real = aws.assume_role_session

    def recording(**kwargs):
        session = real(**kwargs)
        frozen = session.get_credentials().get_frozen_credentials()
        keys.extend([frozen.access_key, frozen.secret_key, frozen.token])
        return session

    monkeypatch.setattr(aws, "assume_role_session", recording)
    return keys


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def assert_no_secret(text: str, secrets: list[str], where: str) -> None:
    assert all(secrets), "a secret to look for is empty"
    for secret in secrets:
        assert secret not in text, f"{where} contains a secret ({secret[:6]}…)"


@pytest.fixture
def synced(aws_sim, aws_connector, issued_keys, caplog):
    """A full sync, then a sync that fails because the role wants another External ID,
    with every logger the app uses at DEBUG (botocore at its configured level)."""
    caplog.set_level(logging.DEBUG)
    for name in ("connectors", "credentials", "nexthink_admin", "celery", "django", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=30, pools=1, sessions_per_pool=3)
    ok = runs.run_execute(connector_id=aws_connector.pk, trigger="command")
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="wrong-one")
    failed = runs.run_execute(connector_id=aws_connector.pk, trigger="command")
    assert ok.status == "succeeded" and ok.seen == 33, (ok.status, ok.error_message)
    assert failed.status == "failed" and failed.error_action == "AssumeRole"
    assert len(issued_keys) == 3, "the successful sync should have assumed the role once"
    return aws_connector, [aws_connector.credential.external_id, *issued_keys]


def test_run_now_sends_only_ids_to_the_task_queue(
    admin_client, aws_connector, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async",
        lambda self, args=None, kwargs=None, **options: sent.append(
            (self.name, args, kwargs, options)
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("connectors:run_now", args=[aws_connector.pk]))
    assert response.status_code == 302
    run = Run.objects.get(connector=aws_connector)
    assert len(sent) == 1
    name, args, kwargs, options = sent[0]
    assert name == "connectors.tasks.run_connector"
    assert not args and kwargs == {"connector_id": aws_connector.pk, "run_id": run.pk}
    credential = aws_connector.credential
    assert_no_secret(
        json.dumps(sent, default=str),
        [credential.external_id, credential.role_arn],
        "the task message",
    )


def test_beat_schedule_holds_only_the_connector_id(admin_client, aws_connector):
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(aws_connector.credential, name="Beat check"),
    )
    assert response.status_code == 302
    connector = InboundConnector.objects.get(name="Beat check")
    task = PeriodicTask.objects.get(name=connector.beat_task_name)
    assert json.loads(task.kwargs) == {"connector_id": connector.pk} and json.loads(task.args) == []
    external_id = aws_connector.credential.external_id
    for row in PeriodicTask.objects.all():
        text = " ".join(str(getattr(row, f.attname)) for f in row._meta.concrete_fields)
        assert_no_secret(text, [external_id], f"periodic task {row.name}")


def test_logs_of_a_full_and_a_failed_sync_hold_no_secret(synced, caplog):
    _, secrets = synced
    records = caplog.get_records("setup") + caplog.get_records(
        "call"
    )  # the syncs run in the fixture
    messages = [r.getMessage() for r in records]
    assert any("succeeded" in m for m in messages) and any("failed" in m for m in messages)
    formatted = [
        logging.Formatter("%(name)s %(message)s").format(r) for r in records
    ]  # with any traceback
    assert_no_secret("\n".join(formatted), secrets, "the logs")


def test_botocore_stays_quiet_even_when_the_app_logs_at_debug():
    """botocore at DEBUG logs AssumeRole's parameters (ExternalId) and answer (the keys)."""
    for name in ("botocore", "boto3"):
        assert settings.LOGGING["loggers"][name]["level"] in ("WARNING", "ERROR", "CRITICAL")
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING


def test_secrets_are_stored_nowhere_but_the_credential_row(synced):
    _, secrets = synced
    assert Run.objects.count() == 2
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if model is Credential:
            fields = [f for f in fields if f.name != "external_id"]
        for row in model.objects.values_list(*[f.attname for f in fields]) if fields else []:
            text = json.dumps(row, default=str, ensure_ascii=False)
            assert_no_secret(text, secrets, f"a {model._meta.label} row")


def test_a_run_stores_no_external_id_even_when_aws_echoes_it(admin_client, aws_sim, aws_connector):
    external_id = aws_connector.credential.external_id
    aws_sim.inject_error(
        "AssumeRole", "AccessDenied", status=403, message=f"ExternalId {external_id} does not match"
    )
    run = runs.run_execute(connector_id=aws_connector.pk, trigger="command")
    assert run.status == "failed" and run.error_code == "AccessDenied"
    assert_no_secret(run.error_message, [external_id], "the run's error message")
    page = admin_client.get(reverse("connectors:detail", args=[aws_connector.pk])).content.decode()
    assert_no_secret(page, [external_id], "the connector page")


def test_run_test_endpoint_answers_hold_no_secret(
    admin_client, aws_sim, aws_connector, issued_keys
):
    credential = aws_connector.credential
    data = {
        "credential": credential.pk,
        "region": REGION,
        "environment_name": "Sim EU",
        "name": "Leak check",
    }
    url = reverse("connectors:test")

    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="wrong-one")
    denied = admin_client.post(url, data)
    assert denied.status_code == 200 and denied.json()["error"]["code"] == "AccessDenied"
    assert_no_secret(
        denied.content.decode(), [credential.external_id, "wrong-one"], "the failed test's JSON"
    )

    aws_sim.inject_error(
        "AssumeRole",
        "AccessDenied",
        status=403,
        message=f"ExternalId {credential.external_id} is wrong",
        count=1,
    )
    echoed = admin_client.post(url, data)
    assert echoed.json()["error"]["code"] == "AccessDenied"
    assert_no_secret(
        echoed.content.decode(),
        [credential.external_id],
        "the JSON when AWS echoes the External ID",
    )

    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id=credential.external_id)
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=3, pools=1, sessions_per_pool=1)
    ok = admin_client.post(url, data)
    assert ok.json()["ok"] is True and len(issued_keys) == 3
    assert_no_secret(
        ok.content.decode(), [credential.external_id, *issued_keys], "the successful test's JSON"
    )


def page_text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_pages_and_exports_hold_no_secret(synced, admin_client, client, make_user):
    connector, secrets = synced
    device = connector.devices.first()
    urls = [
        reverse("home"),
        reverse("connectors:list"),
        reverse("connectors:detail", args=[connector.pk]),
        reverse("connectors:edit", args=[connector.pk]),
        reverse("connectors:runs_fragment", args=[connector.pk]),
        reverse("connectors:delete", args=[connector.pk]),
        reverse("credentials:list"),
        reverse("devices:list"),
        reverse("devices:detail", args=[device.pk]),
        reverse("devices:export_csv"),
        reverse("devices:export_enrichment"),
        reverse("audit"),
        reverse("admin:credentials_credential_changelist"),
        reverse("admin:connectors_run_changelist"),
        reverse("admin:connectors_inboundconnector_change", args=[connector.pk]),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_secret(page_text(response), secrets, url)
    # The credential's own page shows its External ID (it goes into the trust
    # policy); never the keys.
    detail = admin_client.get(
        reverse("credentials:detail", args=[connector.credential_id])
    ).content.decode()
    assert secrets[0] in detail
    assert_no_secret(detail, secrets[1:], "the credential page")
    # Error pages.
    not_found = admin_client.get(
        reverse("credentials:detail", args=[connector.credential_id + 1000])
    )
    assert not_found.status_code == 404
    assert_no_secret(not_found.content.decode(), [*secrets, settings.SECRET_KEY], "the 404 page")
    client.force_login(make_user("viewer-of-connectors", "connectors.view_inboundconnector"))
    forbidden = client.get(reverse("credentials:detail", args=[connector.credential_id]))
    assert forbidden.status_code == 403
    assert_no_secret(forbidden.content.decode(), [*secrets, settings.SECRET_KEY], "the 403 page")


def test_admin_shows_the_external_id_as_read_only_text_and_ignores_a_posted_one(
    admin_client, aws_connector
):
    credential = aws_connector.credential
    url = reverse("admin:credentials_credential_change", args=[credential.pk])
    html = admin_client.get(url).content.decode()
    assert re.search(
        r'<div class="readonly">\s*' + re.escape(credential.external_id) + r"\s*</div>", html
    )
    assert not re.search(r'<(input|textarea|select)[^>]*name="external_id"', html)
    assert not re.search(r'<(input|textarea)[^>]*value="' + re.escape(credential.external_id), html)

    post = {
        "name": credential.name,
        "protocol": credential.protocol,
        "role_arn": credential.role_arn,
        "external_id": "attacker-chosen-id",
        "_save": "Save",
    }
    assert admin_client.post(url, post).status_code == 302
    app_edit = {
        "name": credential.name,
        "role_arn": credential.role_arn,
        "external_id": "attacker-chosen-id",
    }
    assert (
        admin_client.post(reverse("credentials:edit", args=[credential.pk]), app_edit).status_code
        == 302
    )
    credential.refresh_from_db()
    assert credential.external_id != "attacker-chosen-id" and len(credential.external_id) == 43
