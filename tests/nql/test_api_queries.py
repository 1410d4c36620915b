"""Administration > NQL API queries and API credentials, as an administrator
uses them; the Query ID never changes once made, whatever the path."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from nexthink_admin.models import AuditEvent
from nql import services
from nql.models import ApiClient, NqlApiQuery, QueryIdLocked

pytestmark = pytest.mark.django_db
GOOD = "devices | where virtualization.region == $region | list name"


def form(**overrides):
    data = {"name": "Inventory", "query_id": "#aws_inventory", "description": "", "query": GOOD}
    data.update(overrides)
    return data


def test_list_is_empty_then_shows_a_created_query(admin_client):
    empty = admin_client.get(reverse("nql_queries:list"))
    assert b"No NQL API queries yet" in empty.content
    response = admin_client.post(reverse("nql_queries:create"), form())
    assert response.status_code == 302
    listing = admin_client.get(reverse("nql_queries:list")).content.decode()
    assert "#aws_inventory" in listing and "Inventory" in listing
    assert AuditEvent.objects.filter(object_type="nql api query", action="created").exists()


@pytest.mark.parametrize(
    ("query_id", "message"),
    [
        ("aws_inventory", "A Query ID is # followed by"),
        ("#AWS", "A Query ID is # followed by"),
        ("#with-dash", "A Query ID is # followed by"),
        ("#", "A Query ID is # followed by"),
        ("#" + "a" * 64, "At most 64 characters"),
    ],
)
def test_a_bad_query_id_is_refused_at_its_field(admin_client, query_id, message):
    response = admin_client.post(reverse("nql_queries:create"), form(query_id=query_id))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["query_id"])
    assert not NqlApiQuery.objects.exists()


def test_a_duplicate_query_id_is_refused(admin_client):
    admin_client.post(reverse("nql_queries:create"), form())
    response = admin_client.post(reverse("nql_queries:create"), form(name="Other"))
    assert response.status_code == 400
    assert "Another NQL API query has this Query ID." in response.content.decode()


def test_a_bad_query_is_refused_with_its_position(admin_client):
    response = admin_client.post(reverse("nql_queries:create"), form(query="devices | where"))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["query"])
    assert "line 1, column 16: the query ends too early" in errors


def test_edit_changes_name_and_query_and_ignores_a_tampered_query_id(admin_client):
    admin_client.post(reverse("nql_queries:create"), form())
    saved = NqlApiQuery.objects.get()
    page = admin_client.get(reverse("nql_queries:edit", args=[saved.pk])).content.decode()
    assert "disabled" in page.split('name="query_id"')[1].split(">")[0]
    response = admin_client.post(
        reverse("nql_queries:edit", args=[saved.pk]),
        form(name="Renamed", query_id="#tampered", query="devices | list name"),
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.query_id, saved.query) == (
        "Renamed",
        "#aws_inventory",
        "devices | list name",
    )


def test_the_query_id_cannot_change_through_the_model_or_a_queryset():
    saved = services.nql_api_query_create(
        name="Inventory", query_id="#aws_inventory", description="", query=GOOD
    )
    saved.query_id = "#other"
    with pytest.raises(QueryIdLocked):
        saved.save()
    with pytest.raises(QueryIdLocked):
        NqlApiQuery.objects.filter(pk=saved.pk).update(query_id="#other")
    fresh = NqlApiQuery.objects.get(pk=saved.pk)
    fresh.query_id = "#other"
    with pytest.raises(QueryIdLocked):
        NqlApiQuery.objects.bulk_update([fresh], ["query_id"])
    assert NqlApiQuery.objects.get(pk=saved.pk).query_id == "#aws_inventory"


def test_the_update_service_has_no_way_to_change_the_query_id():
    saved = services.nql_api_query_create(
        name="Inventory", query_id="#aws_inventory", description="", query=GOOD
    )
    with pytest.raises(TypeError):
        services.nql_api_query_update(
            api_query=saved, name="x", description="", query=GOOD, query_id="#other"
        )
    with pytest.raises(ValidationError):
        services.nql_api_query_update(api_query=saved, name="x", description="", query="devices |")


def test_the_django_admin_shows_the_query_id_read_only_after_creation(admin_client):
    saved = services.nql_api_query_create(
        name="Inventory", query_id="#aws_inventory", description="", query=GOOD
    )
    url = reverse("admin:nql_nqlapiquery_change", args=[saved.pk])
    response = admin_client.post(
        url, {"name": "Inventory", "query_id": "#tampered", "description": "", "query": GOOD}
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.query_id == "#aws_inventory"
    refused = admin_client.post(
        url, {"name": "Inventory", "description": "", "query": "devices | nope"}
    )
    assert refused.status_code == 200 and b"line 1, column 11" in refused.content


def test_delete_asks_for_confirmation_then_deletes(admin_client):
    admin_client.post(reverse("nql_queries:create"), form())
    saved = NqlApiQuery.objects.get()
    confirm = admin_client.get(reverse("nql_queries:delete", args=[saved.pk]))
    assert b"Delete NQL API query" in confirm.content and NqlApiQuery.objects.exists()
    admin_client.post(reverse("nql_queries:delete", args=[saved.pk]))
    assert not NqlApiQuery.objects.exists()


def test_api_credentials_show_the_secret_once_and_never_again(admin_client):
    response = admin_client.post(
        reverse("api_clients:create"), {"name": "Power BI", "permissions": ["nql:devices"]}
    )
    secret = response.content.decode().split('id="client-secret">')[1].split("<")[0]
    assert len(secret) > 40
    assert "no-store" in response["Cache-Control"]
    listing = admin_client.get(reverse("api_clients:list")).content.decode()
    client = ApiClient.objects.get()
    assert client.client_id in listing and secret not in listing
    assert (
        secret
        not in admin_client.get(reverse("api_clients:revoke", args=[client.pk])).content.decode()
    )
    audit = AuditEvent.objects.get(object_type="api client")
    assert secret not in str(audit.changes)


def test_api_credentials_need_a_name_and_a_known_permission(admin_client):
    response = admin_client.post(
        reverse("api_clients:create"), {"name": "", "permissions": ["nql:auth_user"]}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "name" in errors and "permissions" in errors
    assert not ApiClient.objects.exists()


def test_revoke_asks_first_and_then_marks_the_client_revoked(admin_client):
    client, _ = services.api_client_create(name="Power BI", permissions=["nql:devices"])
    confirm = admin_client.get(reverse("api_clients:revoke", args=[client.pk]))
    assert b"Revoke credentials" in confirm.content
    admin_client.post(reverse("api_clients:revoke", args=[client.pk]))
    client.refresh_from_db()
    assert client.revoked_at is not None and client.application is None
    listing = admin_client.get(reverse("api_clients:list")).content.decode()
    assert "Revoked" in listing
    again = admin_client.post(reverse("api_clients:revoke", args=[client.pk]), follow=True)
    assert b"already revoked" in again.content


def test_a_query_id_taken_between_the_check_and_the_insert_is_a_field_error(monkeypatch):
    from nql.models import NqlApiQueryQuerySet

    services.nql_api_query_create(name="A", query_id="#taken", description="", query=GOOD)
    monkeypatch.setattr(NqlApiQueryQuerySet, "exists", lambda self: False)
    with pytest.raises(ValidationError) as caught:
        services.nql_api_query_create(name="B", query_id="#taken", description="", query=GOOD)
    assert caught.value.message_dict == {"query_id": ["Another NQL API query has this Query ID."]}
    assert NqlApiQuery.objects.count() == 1
