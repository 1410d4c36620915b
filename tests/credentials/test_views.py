import json

import pytest
from django.test import Client
from django.urls import reverse

from connectors.models import InboundConnector
from credentials import services
from credentials.models import Credential

from .factories import GOOD_ARN, make_credential

pytestmark = pytest.mark.django_db


def urls_for(credential: Credential) -> list[str]:
    return [
        reverse("credentials:list"),
        reverse("credentials:create"),
        reverse("credentials:detail", args=[credential.pk]),
        reverse("credentials:edit", args=[credential.pk]),
        reverse("credentials:delete", args=[credential.pk]),
    ]


def test_anonymous_is_sent_to_login_from_every_credential_page(client):
    for url in urls_for(make_credential()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_signed_in_user_without_permission_gets_403(plain_client):
    for url in urls_for(make_credential()):
        assert plain_client.get(url).status_code == 403, url
    assert (
        plain_client.post(
            reverse("credentials:create"), {"name": "x", "protocol": "aws_iam"}
        ).status_code
        == 403
    )
    assert Credential.objects.count() == 1


def test_viewer_can_read_but_not_create(client, make_user):
    client.force_login(make_user("viewer", "credentials.view_credential"))
    credential = make_credential()
    assert client.get(reverse("credentials:list")).status_code == 200
    assert client.get(reverse("credentials:detail", args=[credential.pk])).status_code == 200
    assert client.get(reverse("credentials:create")).status_code == 403


def test_empty_list_explains_what_a_credential_is_for(admin_client):
    page = admin_client.get(reverse("credentials:list")).content.decode()
    assert "No connector credentials yet" in page
    assert "External ID" in page and "Role ARN" in page


def test_list_shows_name_protocol_status_connectors_and_total(admin_client):
    make_credential("Alpha")
    make_credential("Beta", role_arn="")
    page = admin_client.get(reverse("credentials:list")).content.decode()
    assert "Alpha" in page and "Beta" in page and "AWS IAM" in page
    assert "Ready" in page and "Waiting for role ARN" in page
    assert '<span class="count">2</span>' in page


def test_create_generates_external_id_and_shows_both_policies(admin_client, settings):
    settings.AWS_TRUSTED_ACCOUNT_ID = "999988887777"
    response = admin_client.post(
        reverse("credentials:create"), {"name": "Prod EU", "protocol": "aws_iam"}
    )
    credential = Credential.objects.get()
    assert response.status_code == 302 and response["Location"] == credential.get_absolute_url()
    page = admin_client.get(response["Location"]).content.decode()
    assert credential.external_id in page
    assert "Waiting for role ARN" in page
    assert "NexthinkConnector-" in page
    assert page.count("data-copy=") == 3  # External ID and the two policies


def test_policies_on_the_page_are_valid_json_with_this_credentials_values(admin_client, settings):
    import html
    import re

    settings.AWS_TRUSTED_ACCOUNT_ID = "999988887777"
    credential = make_credential()
    page = admin_client.get(credential.get_absolute_url()).content.decode()
    blocks = {
        m[0]: json.loads(html.unescape(m[1]))
        for m in re.findall(r'<pre id="([\w-]+)" class="code">(.*?)</pre>', page, re.S)
    }
    trust = blocks["trust-policy"]["Statement"][0]
    assert trust["Principal"]["AWS"] == "arn:aws:iam::999988887777:root"
    assert trust["Condition"]["StringEquals"]["sts:ExternalId"] == credential.external_id
    assert len(blocks["permissions-policy"]["Statement"][0]["Action"]) == 5


def test_duplicate_name_in_other_case_is_refused_at_the_name_field(admin_client):
    make_credential("Prod")
    response = admin_client.post(
        reverse("credentials:create"), {"name": "PROD", "protocol": "aws_iam"}
    )
    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["name"][0]
    assert Credential.objects.count() == 1


def test_only_aws_iam_protocol_is_offered(admin_client):
    response = admin_client.post(reverse("credentials:create"), {"name": "X", "protocol": "basic"})
    assert "protocol" in response.context["form"].errors
    assert not Credential.objects.exists()


def test_tampered_create_post_cannot_choose_the_external_id(admin_client):
    admin_client.post(
        reverse("credentials:create"),
        {"name": "X", "protocol": "aws_iam", "external_id": "attacker-chosen"},
    )
    assert Credential.objects.get().external_id != "attacker-chosen"


def test_tampered_edit_post_cannot_change_the_external_id(admin_client):
    credential = make_credential()
    before = credential.external_id
    response = admin_client.post(
        reverse("credentials:edit", args=[credential.pk]),
        {"name": credential.name, "role_arn": GOOD_ARN, "external_id": "attacker-chosen"},
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.external_id == before


def test_edit_saves_a_valid_arn_and_the_status_becomes_ready(admin_client):
    credential = make_credential(role_arn="")
    response = admin_client.post(
        reverse("credentials:edit", args=[credential.pk]),
        {"name": credential.name, "role_arn": f"  {GOOD_ARN}  "},
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.role_arn == GOOD_ARN and credential.is_ready


def test_edit_with_a_bad_arn_shows_the_reason_and_keeps_the_saved_one(admin_client):
    credential = make_credential()
    response = admin_client.post(
        reverse("credentials:edit", args=[credential.pk]),
        {"name": credential.name, "role_arn": "arn:aws:iam::111122223333:role/OtherRole"},
    )
    assert response.status_code == 200
    assert "must start with 'NexthinkConnector-'" in response.context["form"].errors["role_arn"][0]
    assert "must start with" in response.content.decode()
    credential.refresh_from_db()
    assert credential.role_arn == GOOD_ARN


def test_delete_asks_for_confirmation_then_deletes(admin_client):
    credential = make_credential()
    url = reverse("credentials:delete", args=[credential.pk])
    assert "cannot be undone" in admin_client.get(url).content.decode()
    assert Credential.objects.exists()
    assert admin_client.post(url).status_code == 302
    assert not Credential.objects.exists()


def test_delete_is_refused_with_the_names_of_connectors_using_it(admin_client):
    credential = make_credential()
    InboundConnector.objects.create(
        name="EU fleet",
        nql_id="eu_fleet",
        credential=credential,
        connector_type="aws_workspaces",
        parameters={"region": "eu-west-1"},
        environment_name="EU",
    )
    url = reverse("credentials:delete", args=[credential.pk])
    assert "EU fleet" in admin_client.get(url).content.decode()
    response = admin_client.post(url)
    assert response.status_code == 409
    assert "EU fleet" in response.content.decode()
    assert Credential.objects.filter(pk=credential.pk).exists()
    with pytest.raises(services.CredentialInUse):
        services.credential_delete(credential=credential)


def test_csrf_is_enforced_on_every_credential_form(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    credential = make_credential()
    for url, data in [
        (reverse("credentials:create"), {"name": "X", "protocol": "aws_iam"}),
        (reverse("credentials:edit", args=[credential.pk]), {"name": "Y", "role_arn": ""}),
        (reverse("credentials:delete", args=[credential.pk])[:], {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert Credential.objects.count() == 1
    credential.refresh_from_db()
    assert credential.name == "Prod account"


def test_admin_shows_external_id_read_only_and_creates_it_server_side(admin_client):
    credential = make_credential()
    page = admin_client.get(
        reverse("admin:credentials_credential_change", args=[credential.pk])
    ).content.decode()
    assert credential.external_id in page
    assert 'name="external_id"' not in page
    response = admin_client.post(
        reverse("admin:credentials_credential_add"),
        {"name": "From admin", "protocol": "aws_iam", "role_arn": "", "external_id": "attacker"},
    )
    assert response.status_code == 302
    created = Credential.objects.get(name="From admin")
    assert created.external_id and created.external_id != "attacker"
    search = admin_client.get(reverse("admin:credentials_credential_changelist") + "?q=From")
    assert "From admin" in search.content.decode()


def test_admin_rejects_a_bad_arn_at_the_field(admin_client):
    credential = make_credential()
    response = admin_client.post(
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        {
            "name": credential.name,
            "protocol": "aws_iam",
            "role_arn": "arn:aws:iam::1:role/NexthinkConnector-X",
        },
    )
    assert response.status_code == 200
    assert "exactly 12 digits" in response.content.decode()


def test_edit_form_is_prefilled_with_the_saved_values(admin_client):
    credential = make_credential("Prod")
    form = admin_client.get(reverse("credentials:edit", args=[credential.pk])).context["form"]
    assert form["name"].value() == "Prod" and form["role_arn"].value() == GOOD_ARN
