import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_public_and_every_other_page_redirects(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_signing_in_shows_the_console_navigation(client, admin_user):
    response = client.post(
        reverse("login"), {"username": "root", "password": "pw-for-tests-1"}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    for label in (
        "Connector credentials",
        "Inbound connectors",
        "Devices",
        "Administration",
        "root",
    ):
        assert label in page


def test_wrong_password_is_refused_with_a_message(client, admin_user):
    response = client.post(reverse("login"), {"username": "root", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_ensure_admin_creates_one_administrator_and_prints_its_password_once(
    django_user_model, capsys, monkeypatch
):
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    call_command("ensure_admin")
    first = capsys.readouterr().out
    assert "password:" in first
    password = first.split("password:")[1].split()[0]
    user = django_user_model.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    call_command("ensure_admin")
    second = capsys.readouterr().out
    assert password not in second and django_user_model.objects.count() == 1


def test_ensure_admin_uses_the_environment_when_given(django_user_model, capsys, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")
    call_command("ensure_admin")
    assert "a-long-pass-phrase" not in capsys.readouterr().out
    assert django_user_model.objects.get(username="ops").check_password("a-long-pass-phrase")


def test_static_assets_are_local_not_from_a_cdn(admin_client):
    page = admin_client.get(reverse("home")).content.decode()
    assert "/static/css/app.css" in page
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]
