import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from nexthink_admin.models import AuditEvent
from tests.connectors.factories import form_data
from tests.credentials.factories import GOOD_ARN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def member_of(django_user_model, group: str, username: str):
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def test_audit_trail_records_who_did_what_to_credentials_and_connectors(admin_client):
    admin_client.post(reverse("credentials:create"), {"name": "Prod", "protocol": "aws_iam"})
    from credentials.models import Credential

    credential = Credential.objects.get()
    admin_client.post(
        reverse("credentials:edit", args=[credential.pk]), {"name": "Prod", "role_arn": GOOD_ARN}
    )
    admin_client.post(reverse("connectors:create", args=["aws_workspaces"]), form_data(credential))
    from connectors.models import InboundConnector

    connector = InboundConnector.objects.get()
    admin_client.post(reverse("connectors:toggle", args=[connector.pk]))
    admin_client.post(reverse("connectors:delete", args=[connector.pk]))
    admin_client.post(reverse("credentials:delete", args=[credential.pk]))
    trail = list(
        AuditEvent.objects.order_by("id").values_list("actor_name", "action", "object_type")
    )
    assert trail == [
        ("root", "created", "credential"),
        ("root", "changed", "credential"),
        ("root", "created", "connector"),
        ("root", "disabled", "connector"),
        ("root", "deleted", "connector"),
        ("root", "deleted", "credential"),
    ]
    changed = AuditEvent.objects.get(action="changed")
    assert changed.changes == {"role_arn": ["", GOOD_ARN]}
    for event in AuditEvent.objects.all():
        assert credential.external_id not in str(event.changes)
    page = admin_client.get(reverse("audit")).content.decode()
    assert "Prod" in page and "Deleted" in page and "AWS Role ARN" in page


def test_audit_trail_is_for_administrators_only(django_user_model):
    assert (
        member_of(django_user_model, "Administrators", "ann").get(reverse("audit")).status_code
        == 200
    )
    assert member_of(django_user_model, "Viewers", "vic").get(reverse("audit")).status_code == 403


def test_administrators_manage_credentials_and_connectors(django_user_model):
    client = member_of(django_user_model, "Administrators", "ann")
    assert client.get(reverse("credentials:create")).status_code == 200
    assert client.get(reverse("connectors:create", args=["aws_workspaces"])).status_code == 200
    assert (
        client.post(reverse("credentials:create"), {"name": "X", "protocol": "aws_iam"}).status_code
        == 302
    )


def test_viewers_browse_devices_and_runs_read_only(django_user_model):
    from tests.connectors.factories import make_connector

    connector = make_connector()
    client = member_of(django_user_model, "Viewers", "vic")
    assert client.get(reverse("devices:list")).status_code == 200
    assert client.get(reverse("connectors:detail", args=[connector.pk])).status_code == 200
    assert client.get(reverse("credentials:list")).status_code == 403
    assert client.get(reverse("connectors:edit", args=[connector.pk])).status_code == 403
    assert client.post(reverse("connectors:run_now", args=[connector.pk])).status_code == 403
    assert client.post(reverse("connectors:delete", args=[connector.pk])).status_code == 403
    page = client.get(reverse("connectors:detail", args=[connector.pk])).content.decode()
    assert reverse("connectors:run_now", args=[connector.pk]) not in page
    assert reverse("connectors:delete", args=[connector.pk]) not in page


def test_login_is_throttled_after_repeated_failures_even_with_the_right_password(
    client, admin_user
):
    for attempt in range(1, 6):
        status = client.post(reverse("login"), {"username": "root", "password": "wrong"})
        assert status.status_code == (200 if attempt < 5 else 429)
    blocked = client.post(reverse("login"), {"username": "root", "password": "pw-for-tests-1"})
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_users_can_still_sign_in_while_one_name_is_throttled(
    client, admin_user, django_user_model
):
    django_user_model.objects.create_user(username="ann", password="pw-for-tests-1")
    for _ in range(5):
        client.post(reverse("login"), {"username": "root", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "ann", "password": "pw-for-tests-1"})
    assert response.status_code == 302


def test_security_headers_are_sent(admin_client):
    response = admin_client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "object-src 'none'" in csp
    )


def test_viewers_do_not_see_the_customers_role_arn_in_failed_run_messages(django_user_model):
    from connectors.models import Run
    from tests.connectors.factories import make_connector

    connector = make_connector()
    Run.objects.create(
        connector=connector,
        status="failed",
        error_code="AccessDenied",
        error_action="AssumeRole",
        error_message=(
            "User: arn:aws:iam::123456789012:user/console is not authorized to perform:"
            " sts:AssumeRole on resource: arn:aws:iam::111122223333:role/NexthinkConnector-Secret"
            " (account 111122223333)"
        ),
    )
    pages = (
        reverse("connectors:detail", args=[connector.pk]),
        reverse("connectors:runs_fragment", args=[connector.pk]),
    )
    viewer = member_of(django_user_model, "Viewers", "vic")
    for url in pages:
        page = viewer.get(url).content.decode()
        assert "AccessDenied" in page and "not authorized to perform" in page, url
        for secret in ("111122223333", "NexthinkConnector-Secret", "arn:aws:iam"):
            assert secret not in page, f"a viewer sees {secret} on {url}"
    administrator = member_of(django_user_model, "Administrators", "ann")
    for url in pages:
        page = administrator.get(url).content.decode()
        assert "arn:aws:iam::111122223333:role/NexthinkConnector-Secret" in page, url
