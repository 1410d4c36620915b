"""/healthz and /readyz: public JSON probes with the right status codes."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_signing_in(client):
    response = client.get(reverse("operations:healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_probes_refuse_writes(client):
    for name in ("operations:healthz", "operations:readyz"):
        assert client.post(reverse(name)).status_code == 405


def test_readyz_is_ready_when_database_broker_and_migrations_are(client, broker_up):
    response = client.get(reverse("operations:readyz"))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok"},
    }


def test_readyz_is_unavailable_when_the_broker_is_down(client, broker_down):
    response = client.get(reverse("operations:readyz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "failing", "migrations": "ok"},
    }


def test_readyz_is_unavailable_while_a_migration_is_pending(client, broker_up):
    MigrationRecorder.Migration.objects.filter(
        app="operations", name="0002_administrators_see_operations"
    ).delete()
    response = client.get(reverse("operations:readyz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "migrations": "failing"}


@pytest.fixture
def database_down():
    """The default connection points at a database that cannot be reached
    (SQLite: a file in a directory that does not exist; PostgreSQL: a closed port)."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_readyz_is_unavailable_when_the_database_is_down(client, broker_up, database_down):
    response = client.get(reverse("operations:readyz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "failing", "broker": "ok", "migrations": "unknown"},
    }


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_even_when_database_and_broker_are_down(client, broker_down, database_down):
    response = client.get(reverse("operations:healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
