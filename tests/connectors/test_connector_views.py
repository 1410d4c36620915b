import pytest
from django.test import Client
from django.urls import reverse

from connectors.models import InboundConnector, Run
from credentials.models import Credential
from tests.credentials.factories import make_credential

from .factories import form_data, make_connector

pytestmark = pytest.mark.django_db


def connector_urls(connector) -> list[tuple[str, str]]:
    return [
        ("get", reverse("connectors:list")),
        ("get", reverse("connectors:choose_type")),
        ("get", reverse("connectors:create", args=["aws_workspaces"])),
        ("get", reverse("connectors:detail", args=[connector.pk])),
        ("get", reverse("connectors:edit", args=[connector.pk])),
        ("get", reverse("connectors:delete", args=[connector.pk])),
        ("get", reverse("connectors:runs_fragment", args=[connector.pk])),
        ("post", reverse("connectors:run_now", args=[connector.pk])),
        ("post", reverse("connectors:toggle", args=[connector.pk])),
    ]


def test_anonymous_is_sent_to_login(client):
    for method, url in connector_urls(make_connector()):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (
            url
        )


def test_signed_in_without_permission_gets_403(plain_client):
    connector = make_connector()
    for method, url in connector_urls(connector):
        assert getattr(plain_client, method)(url).status_code == 403, url
    assert not Run.objects.exists()
    connector.refresh_from_db()
    assert connector.enabled


def test_csrf_is_enforced_on_every_connector_post(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    connector = make_connector()
    for url in [
        reverse("connectors:create", args=["aws_workspaces"]),
        reverse("connectors:edit", args=[connector.pk]),
        reverse("connectors:delete", args=[connector.pk]),
        reverse("connectors:run_now", args=[connector.pk]),
        reverse("connectors:toggle", args=[connector.pk]),
    ]:
        assert client.post(url, form_data(connector.credential)).status_code == 403, url
    assert InboundConnector.objects.count() == 1 and not Run.objects.exists()


def test_empty_list_says_what_a_connector_does(admin_client):
    page = admin_client.get(reverse("connectors:list")).content.decode()
    assert "No inbound connectors yet" in page and "New connector" in page


def test_list_shows_the_connector_columns(admin_client):
    make_connector("AWS Prod EU", recurrence=30)
    page = admin_client.get(reverse("connectors:list")).content.decode()
    for text in (
        "AWS Prod EU",
        "aws_prod_eu",
        "AWS WorkSpaces",
        "eu-west-1",
        "Production EU",
        "Every 30 minutes",
        "Enabled",
        "Never",
    ):
        assert text in page, text


def test_chooser_offers_aws_workspaces_and_unknown_types_are_404(admin_client):
    page = admin_client.get(reverse("connectors:choose_type")).content.decode()
    assert reverse("connectors:create", args=["aws_workspaces"]) in page
    assert admin_client.get(reverse("connectors:create", args=["appstream"])).status_code == 404


def test_create_from_the_form(admin_client):
    credential = make_credential()
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(credential, nql_id="eu_prod"),
    )
    connector = InboundConnector.objects.get()
    assert response["Location"] == connector.get_absolute_url()
    assert (
        connector.nql_id,
        connector.parameters["region"],
        connector.environment_name,
        connector.recurrence,
    ) == ("eu_prod", "eu-west-1", "Production EU", 60)
    page = admin_client.get(connector.get_absolute_url()).content.decode()
    assert "No runs yet" in page and "Run now" in page


def test_form_has_general_and_parameters_tabs_and_marks_the_tab_with_errors(admin_client):
    credential = make_credential()
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(credential, region="", environment_name="  "),
    )
    page = response.content.decode()
    assert 'id="tab-general"' in page and 'id="tab-parameters"' in page
    assert (
        "tab-error" in page.split('id="tab-parameters"')[1].split(">")[0]
        or 'class="tab tab-error"' in page
    )
    assert response.context["form"].tab_errors() == {"general": False, "parameters": True}
    assert 'data-initial-tab="parameters"' in page


@pytest.mark.parametrize("region", ["eu-west-9", "us-east-1; DROP TABLE", "mars-1", "eu-south-2"])
def test_regions_outside_workspaces_are_rejected(admin_client, region):
    credential = make_credential()
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]), form_data(credential, region=region)
    )
    assert "region" in response.context["form"].errors
    assert not InboundConnector.objects.exists()


def test_region_choices_come_from_botocore_with_readable_names(admin_client):
    import botocore.session

    page = admin_client.get(reverse("connectors:create", args=["aws_workspaces"])).content.decode()
    for region in botocore.session.get_session().get_available_regions("workspaces"):
        assert f'value="{region}"' in page
    assert "Europe (Ireland) (eu-west-1)" in page


def test_region_must_be_in_the_credentials_partition(admin_client):
    credential = make_credential()  # role in partition aws
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(credential, region="cn-northwest-1"),
    )
    assert "partition" in response.context["form"].errors["region"][0]


def test_credential_without_role_arn_cannot_be_chosen_and_links_to_finish_it(admin_client):
    unfinished = make_credential("Half done", role_arn="")
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]), form_data(unfinished)
    )
    assert "has no AWS Role ARN yet" in response.context["form"].errors["credential"][0]
    assert reverse("credentials:edit", args=[unfinished.pk]) in response.content.decode()
    assert not InboundConnector.objects.exists()


def test_only_aws_iam_credentials_are_offered(admin_client):
    make_credential("IAM one")
    form = admin_client.get(reverse("connectors:create", args=["aws_workspaces"])).context["form"]
    assert set(form.fields["credential"].queryset.values_list("protocol", flat=True)) == {"aws_iam"}
    assert (
        form.fields["credential"].queryset.count()
        == Credential.objects.filter(protocol="aws_iam").count()
    )


def test_environment_name_is_required_trimmed_and_bounded(admin_client):
    credential = make_credential()
    url = reverse("connectors:create", args=["aws_workspaces"])
    assert (
        "environment_name"
        in admin_client.post(url, form_data(credential, environment_name="x" * 101))
        .context["form"]
        .errors
    )
    admin_client.post(url, form_data(credential, environment_name="  Prod   EU  "))
    assert InboundConnector.objects.get().environment_name == "Prod EU"


def test_bad_input_keeps_what_was_typed(admin_client):
    credential = make_credential()
    response = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(credential, nql_id="Bad ID", description="keep me"),
    )
    page = response.content.decode()
    assert "keep me" in page and "Bad ID" in page


def test_run_now_queues_one_run_and_refuses_a_second_while_active(admin_client):
    connector = make_connector()
    url = reverse("connectors:run_now", args=[connector.pk])
    admin_client.post(url)
    run = Run.objects.get()
    assert run.trigger == "manual"
    run.status = "running"
    run.save()
    response = admin_client.post(url, follow=True)
    assert Run.objects.count() == 1
    assert "already running" in response.content.decode()


def test_toggle_disables_and_enables(admin_client):
    connector = make_connector()
    admin_client.post(reverse("connectors:toggle", args=[connector.pk]))
    connector.refresh_from_db()
    assert not connector.enabled
    admin_client.post(reverse("connectors:toggle", args=[connector.pk]))
    connector.refresh_from_db()
    assert connector.enabled


def test_delete_confirmation_says_what_happens_to_schedule_and_devices(admin_client):
    connector = make_connector()
    page = admin_client.get(reverse("connectors:delete", args=[connector.pk])).content.decode()
    assert "schedule" in page and "device record" in page and "cannot be undone" in page
    assert InboundConnector.objects.exists()
    admin_client.post(reverse("connectors:delete", args=[connector.pk]))
    assert not InboundConnector.objects.exists()


def test_admin_changelist_filters_and_search(admin_client):
    make_connector("Alpha", region="us-east-1")
    url = reverse("admin:connectors_inboundconnector_changelist")
    assert "Alpha" in admin_client.get(url + "?region=us-east-1").content.decode()
    assert "Alpha" not in admin_client.get(url + "?region=eu-west-1").content.decode()
    assert "Alpha" in admin_client.get(url + "?q=alpha").content.decode()


def test_connector_page_shows_runs_newest_first_with_live_progress(admin_client):
    connector = make_connector()
    Run.objects.create(
        connector=connector,
        status="failed",
        error_code="AccessDenied",
        error_message="denied",
        error_action="AssumeRole",
    )
    Run.objects.create(connector=connector, status="running", pages_fetched=7, seen=175)
    page = admin_client.get(connector.get_absolute_url()).content.decode()
    assert page.index('data-status="running"') < page.index('data-status="failed"')
    assert "7 pages, 175 devices so far" in page
    assert "AccessDenied" in page and "AssumeRole" in page
    assert reverse("connectors:runs_fragment", args=[connector.pk]) in page
    fragment = admin_client.get(
        reverse("connectors:runs_fragment", args=[connector.pk])
    ).content.decode()
    assert "7 pages, 175 devices so far" in fragment and "<html" not in fragment


def test_edit_form_is_prefilled_with_the_saved_values(admin_client):
    connector = make_connector("AWS Prod EU", description="EU desktops", recurrence=240)
    form = admin_client.get(reverse("connectors:edit", args=[connector.pk])).context["form"]
    assert form["name"].value() == "AWS Prod EU" and form["nql_id"].value() == "aws_prod_eu"
    assert form["description"].value() == "EU desktops" and str(form["recurrence"].value()) == "240"
    assert str(form["credential"].value()) == str(connector.credential_id)
    assert (
        form["region"].value() == "eu-west-1"
        and form["environment_name"].value() == "Production EU"
    )
