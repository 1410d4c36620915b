"""Every way to sign in shares one lockout (django-axes), keyed by the user
name as Django's login form reads it (NFKC) and case folded; failures on
unknown names never lock out a known user; the client address is taken
through the trusted-proxy setting only (issue 14 findings 1-3)."""

import pytest
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.views import LoginView
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"
LIMIT = 5


def authentication_paths() -> set[str]:
    """Every URL whose view signs a user in, whatever its namespace."""
    found = set()

    def walk(patterns, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
                continue
            view = p.callback
            view_class = getattr(view, "view_class", None)
            is_login_view = isinstance(view_class, type) and issubclass(view_class, LoginView)
            if is_login_view or getattr(view, "__func__", None) is AdminSite.login:
                found.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return found


AUTH_PATHS = ["login", "admin:login"]


def test_the_authentication_paths_are_the_console_and_admin_sign_in_pages():
    assert authentication_paths() == set(AUTH_PATHS)


def sign_in(path: str, username: str, password: str, client: Client | None = None, **extra):
    client = client or Client()
    response = client.post(reverse(path), {"username": username, "password": password}, **extra)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("fail_on", AUTH_PATHS)
@pytest.mark.parametrize("then_on", AUTH_PATHS)
def test_failures_on_any_sign_in_page_lock_every_sign_in_page(admin_user, fail_on, then_on):
    for attempt in range(1, LIMIT + 1):
        _, response = sign_in(fail_on, "root", "wrong")
        # The failure that reaches the limit is answered with the lockout already.
        assert response.status_code == (200 if attempt < LIMIT else 429)
    client, response = sign_in(then_on, "root", PASSWORD)
    assert response.status_code == 429, f"{then_on} after failures on {fail_on}"
    assert not signed_in(client)
    assert "Too many failed sign-ins" in response.content.decode()


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_many_wrong_passwords_then_the_right_one_never_signs_in(admin_user, path):
    for _ in range(25):
        sign_in(path, "root", "wrong")
    client, response = sign_in(path, "root", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_look_alike_user_names_count_against_the_same_lock(django_user_model, path):
    django_user_model.objects.create_superuser(username="admin_staff", password=PASSWORD)
    for lookalike in (
        "\uff41dmin_staff",  # FULLWIDTH LATIN SMALL LETTER A
        "ADMIN_STAFF",
        " admin_staff ",
        "\uff21\uff24\uff2d\uff29\uff2e_staff",
        "admin_sta\ufb00",  # LATIN SMALL LIGATURE FF
    ):
        sign_in(path, lookalike, "wrong")
    client, response = sign_in(path, "admin_staff", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_a_flood_of_failures_on_unknown_names_from_one_address_locks_out_no_known_user(
    admin_user, path
):
    for i in range(60):
        sign_in(path, f"nobody{i}", "wrong", REMOTE_ADDR="10.9.8.7")
    client, response = sign_in(path, "root", PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302 and signed_in(client)


def test_other_users_sign_in_from_the_same_address_while_one_name_is_locked(
    admin_user, django_user_model
):
    django_user_model.objects.create_user(username="ann", password=PASSWORD)
    for _ in range(LIMIT + 3):
        sign_in("login", "root", "wrong", REMOTE_ADDR="10.9.8.7")
    client, response = sign_in("login", "ann", PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302 and signed_in(client)


def recorded_address() -> str:
    from axes.models import AccessAttempt

    return AccessAttempt.objects.get(username="root").ip_address


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(admin_user):
    sign_in("login", "root", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert recorded_address() == "10.0.0.1"


def test_behind_a_trusted_proxy_the_client_address_comes_from_its_header(admin_user, settings):
    # What TRUSTED_PROXY_COUNT=1 sets (nexthink_admin/settings/base.py).
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # The proxy appends the address it saw; what the client sent before it is not trusted.
    sign_in(
        "login",
        "root",
        "wrong",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert recorded_address() == "203.0.113.9"


def lock_root() -> None:
    for _ in range(LIMIT):
        sign_in("login", "root", "wrong")
    assert sign_in("login", "root", PASSWORD)[1].status_code == 429


def test_an_administrator_unlocks_an_account_with_the_management_command(admin_user):
    lock_root()
    call_command("axes_reset_username", "root")
    client, response = sign_in("login", "root", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_an_administrator_unlocks_an_account_in_django_admin(admin_user, django_user_model):
    from axes.models import AccessAttempt

    lock_root()
    other = django_user_model.objects.create_superuser(username="other", password=PASSWORD)
    admin = Client()
    admin.force_login(other)
    attempt = AccessAttempt.objects.get(username="root")
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "root" in changelist
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client, response = sign_in("login", "root", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_successful_sign_in_clears_the_failures_of_that_name(admin_user):
    for _ in range(LIMIT - 1):
        sign_in("login", "root", "wrong")
    assert sign_in("login", "root", PASSWORD)[1].status_code == 302
    for _ in range(LIMIT - 1):
        sign_in("login", "root", "wrong")
    assert sign_in("login", "root", PASSWORD)[1].status_code == 302
