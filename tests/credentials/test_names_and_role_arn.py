"""Names an administrator cannot tell apart, and a Role ARN that connectors need."""

import pytest
from django.db import connection
from django.urls import reverse

from connectors.models import InboundConnector
from credentials import services
from credentials.models import Credential
from nexthink_admin.models import AuditEvent
from tests.connectors.factories import form_data, make_connector
from tests.credentials.factories import GOOD_ARN, make_credential

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "zero width space": "\u200b",
    "zero width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "bell": "\x07",
    "escape": "\x1b",
    "tab": "\t",
    "next line": "\x85",
    "line separator": "\u2028",
}


def name_forms() -> dict[str, tuple[str, dict]]:
    """Every form that takes a credential or connector name: URL and the other fields."""
    credential = make_credential("Used account")
    connector = make_connector("Existing connector", credential=credential)
    spare = make_credential("Spare account", role_arn="")
    targets = {
        "credential create": (reverse("credentials:create"), {"protocol": "aws_iam"}),
        "credential edit": (reverse("credentials:edit", args=[spare.pk]), {"role_arn": ""}),
        "credential admin": (
            reverse("admin:credentials_credential_add"),
            {"protocol": "aws_iam", "role_arn": ""},
        ),
        "connector create": (
            reverse("connectors:create", args=["aws_workspaces"]),
            form_data(credential, nql_id="named"),
        ),
        "connector edit": (reverse("connectors:edit", args=[connector.pk]), form_data(credential)),
        "connector admin": (
            reverse("admin:connectors_inboundconnector_add"),
            {**form_data(credential, nql_id="named_admin"), "enabled": "on"},
        ),
    }
    return targets


def names_stored() -> tuple[list[str], list[str]]:
    return (
        list(Credential.objects.values_list("name", flat=True).order_by("pk")),
        list(InboundConnector.objects.values_list("name", flat=True).order_by("pk")),
    )


FORMS = [
    "credential create",
    "credential edit",
    "credential admin",
    "connector create",
    "connector edit",
    "connector admin",
]


@pytest.mark.parametrize("char", list(INVISIBLE.values()), ids=list(INVISIBLE))
@pytest.mark.parametrize("form", FORMS)
def test_a_name_with_an_invisible_or_control_character_is_refused_at_the_field(
    admin_client, form, char
):
    url, data = name_forms()[form]
    before = names_stored()
    response = admin_client.post(url, {**data, "name": f"Pay{char}roll"})
    assert response.status_code == 200, response.status_code
    form_obj = response.context["adminform"].form if "adminform" in response.context else None
    form_obj = form_obj or response.context["form"]
    assert "name" in form_obj.errors, form_obj.errors
    assert "invisible" in str(form_obj.errors["name"])
    assert names_stored() == before


@pytest.mark.parametrize(
    "taken, lookalike",
    [
        ("Demo", "\uff24emo"),  # FULLWIDTH LATIN CAPITAL LETTER D
        ("Demo", "\uff24\uff45\uff4d\uff4f"),
        ("Straße", "STRASSE"),  # equal under case folding, not under lower()
        ("ﬁnance", "finance"),  # LATIN SMALL LIGATURE FI
        ("Prod ①", "prod 1"),
    ],
)
@pytest.mark.parametrize("form", ["credential create", "credential edit", "credential admin"])
def test_a_lookalike_of_a_taken_credential_name_is_refused(admin_client, form, taken, lookalike):
    make_credential(taken)
    url, data = name_forms()[form]
    before = names_stored()
    response = admin_client.post(url, {**data, "name": lookalike})
    assert response.status_code == 200, response.status_code
    form_obj = response.context["adminform"].form if "adminform" in response.context else None
    form_obj = form_obj or response.context["form"]
    assert "already exists" in str(form_obj.errors.get("name")), form_obj.errors
    assert names_stored() == before


@pytest.mark.parametrize("form", FORMS)
def test_a_name_that_grows_past_its_limit_once_normalised_is_a_field_error(admin_client, form):
    url, data = name_forms()[form]
    before = names_stored()
    response = admin_client.post(url, {**data, "name": "\ufdfa" * 10})  # 180 characters in NFKC
    assert response.status_code == 200
    form_obj = response.context["adminform"].form if "adminform" in response.context else None
    form_obj = form_obj or response.context["form"]
    assert "at most 100" in str(form_obj.errors.get("name")), form_obj.errors
    assert names_stored() == before


def test_a_full_width_name_is_stored_in_its_compatibility_form(admin_client):
    admin_client.post(reverse("credentials:create"), {"name": "\uff30rod", "protocol": "aws_iam"})
    assert Credential.objects.filter(name="Prod").exists()


@pytest.mark.parametrize("where", ["console", "admin"])
def test_clearing_the_role_arn_of_a_credential_in_use_is_refused_with_the_connectors_names(
    admin_client, where
):
    credential = make_credential("In use")
    make_connector("Payroll EU", credential=credential)
    make_connector("Payroll US", credential=credential, region="us-east-1")
    if where == "console":
        url = reverse("credentials:edit", args=[credential.pk])
        data = {"name": "In use", "role_arn": ""}
    else:
        url = reverse("admin:credentials_credential_change", args=[credential.pk])
        data = {"name": "In use", "protocol": "aws_iam", "role_arn": "  "}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Payroll EU" in page and "Payroll US" in page
    credential.refresh_from_db()
    assert credential.role_arn == GOOD_ARN


def test_the_service_refuses_to_clear_the_role_arn_of_a_credential_in_use():
    credential = make_credential("In use")
    make_connector("Payroll EU", credential=credential)
    with pytest.raises(services.CredentialInUse) as exc:
        services.credential_update(credential=credential, name="In use", role_arn="")
    assert exc.value.connector_names == ["Payroll EU"]
    credential.refresh_from_db()
    assert credential.role_arn == GOOD_ARN


def test_a_credential_no_connector_uses_can_have_its_role_arn_cleared(admin_client):
    credential = make_credential("Free")
    response = admin_client.post(
        reverse("credentials:edit", args=[credential.pk]), {"name": "Free", "role_arn": ""}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.role_arn == ""


def test_creating_a_credential_in_admin_with_a_role_arn_writes_one_audit_event(admin_client):
    response = admin_client.post(
        reverse("admin:credentials_credential_add"),
        {"name": "From admin", "protocol": "aws_iam", "role_arn": GOOD_ARN},
    )
    assert response.status_code == 302
    credential = Credential.objects.get(name="From admin")
    assert credential.role_arn == GOOD_ARN
    events = list(AuditEvent.objects.filter(object_type="credential", object_id=credential.pk))
    assert [e.action for e in events] == ["created"]
    assert events[0].changes["role_arn"] == [None, GOOD_ARN]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("entity", ["credential", "connector"])
def test_a_change_reads_what_it_audits_inside_its_own_transaction(entity):
    """The audit's before-image is read inside the transaction that writes the
    change: a read outside it can record a diff against a value that another
    request changed in between."""
    from connectors.services import ConnectorData, connector_save

    credential = make_credential("Audited")
    connector = make_connector("Audited connector", credential=credential)
    table = {"credential": Credential, "connector": InboundConnector}[entity]._meta.db_table
    reads = []

    def watch(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in sql:
            reads.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        if entity == "credential":
            services.credential_update(credential=credential, name="Audited 2", role_arn=GOOD_ARN)
        else:
            connector_save(
                data=ConnectorData(
                    name="Audited connector 2",
                    description="",
                    recurrence=60,
                    credential_id=credential.pk,
                    connector_type="aws_workspaces",
                    parameters={"region": "eu-west-1"},
                    environment_name="Production EU",
                ),
                connector=connector,
            )
    assert reads, "the change read nothing to audit"
    assert all(reads), f"{reads.count(False)} read(s) of {table} outside the transaction"
