import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connectors.models import InboundConnector, NqlIdLocked
from connectors.nql import nql_id_suggest, nql_id_validate
from connectors.services import ConnectorData, connector_save
from tests.credentials.factories import make_credential

from .factories import form_data, make_connector


@pytest.mark.parametrize(
    "name, expected",
    [
        ("AWS Prod EU", "aws_prod_eu"),
        ("  Zürich — WorkSpaces (2)  ", "zurich_workspaces_2"),
        ("2024 fleet", "c_2024_fleet"),
        ("***", "connector"),
        ("x" * 100, "x" * 64),
    ],
)
def test_nql_id_is_suggested_from_the_name(name, expected):
    assert nql_id_suggest(name) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        ("Aws", "start"),
        ("1abc", "start"),
        ("_abc", "start"),
        ("aws-prod", "chars"),
        ("aws prod", "chars"),
        ("a" * 65, "max_length"),
        ("", "required"),
        ("é", "start"),
    ],
)
def test_invalid_nql_ids_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        nql_id_validate(value)
    assert exc.value.code == code


@pytest.mark.django_db
def test_server_suggests_the_nql_id_when_left_empty(admin_client):
    credential = make_credential()
    admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]), form_data(credential, nql_id="")
    )
    assert InboundConnector.objects.get().nql_id == "aws_prod_eu"


@pytest.mark.django_db
def test_nql_id_must_be_unique(admin_client):
    existing = make_connector("AWS Prod EU")
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(existing.credential, nql_id=existing.nql_id),
    )
    assert "already used" in response.context["form"].errors["nql_id"][0]
    assert InboundConnector.objects.count() == 1


@pytest.mark.django_db
def test_a_suggested_nql_id_that_is_taken_gets_a_suffix_in_the_service():
    first = make_connector("AWS Prod EU")
    second = make_connector("AWS Prod EU", credential=first.credential)
    assert (first.nql_id, second.nql_id) == ("aws_prod_eu", "aws_prod_eu_2")


@pytest.mark.django_db
def test_edit_form_shows_the_nql_id_read_only(admin_client):
    connector = make_connector()
    page = admin_client.get(reverse("connectors:edit", args=[connector.pk])).content.decode()
    assert 'name="nql_id"' in page and "disabled" in page.split('name="nql_id"')[1].split(">")[0]


@pytest.mark.django_db
def test_tampered_edit_post_does_not_change_the_nql_id_and_says_so(admin_client):
    connector = make_connector()
    response = admin_client.post(
        reverse("connectors:edit", args=[connector.pk]),
        form_data(connector.credential, nql_id="hacked", name="Renamed"),
        follow=True,
    )
    connector.refresh_from_db()
    assert connector.nql_id == "aws_prod_eu" and connector.name == "Renamed"
    assert "cannot be changed after the first save" in response.content.decode()


@pytest.mark.django_db
def test_django_admin_shows_the_nql_id_read_only_and_ignores_a_posted_one(admin_client):
    connector = make_connector()
    url = reverse("admin:connectors_inboundconnector_change", args=[connector.pk])
    assert 'name="nql_id"' not in admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {**form_data(connector.credential, nql_id="hacked"), "enabled": "on"}
    )
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.nql_id == "aws_prod_eu"


@pytest.mark.django_db
def test_model_refuses_an_nql_id_change_on_save():
    connector = make_connector()
    connector.nql_id = "changed"
    with pytest.raises(NqlIdLocked):
        connector.save()
    fresh = InboundConnector.objects.get(pk=connector.pk)
    fresh.nql_id = "changed"
    with pytest.raises(NqlIdLocked):
        fresh.save(update_fields=["nql_id"])
    assert InboundConnector.objects.get(pk=connector.pk).nql_id == "aws_prod_eu"


@pytest.mark.django_db
def test_queryset_update_of_the_nql_id_is_refused():
    connector = make_connector()
    with pytest.raises(NqlIdLocked):
        InboundConnector.objects.filter(pk=connector.pk).update(nql_id="changed")
    connector.nql_id = "changed"
    with pytest.raises(NqlIdLocked):
        InboundConnector.objects.bulk_update([connector], ["nql_id"])
    assert InboundConnector.objects.get(pk=connector.pk).nql_id == "aws_prod_eu"


@pytest.mark.django_db
def test_service_refuses_an_nql_id_change():
    connector = make_connector()
    data = ConnectorData(
        name="x",
        nql_id="changed",
        description="",
        recurrence=60,
        credential_id=connector.credential_id,
        parameters={"region": "eu-west-1"},
        environment_name="E",
    )
    with pytest.raises(NqlIdLocked):
        connector_save(data=data, connector=connector)
    assert InboundConnector.objects.get(pk=connector.pk).nql_id == "aws_prod_eu"
