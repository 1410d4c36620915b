"""Property tests of every form: whatever is typed, the answer is a page with
field errors (nothing stored) or a redirect after storing exactly the cleaned
input; never a 5xx, never a NUL stored, never the SECRET_KEY rendered."""

import unicodedata

import pytest
from django.db.models import Count
from django.db.models.functions import Lower
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from hypothesis import event, given
from hypothesis import strategies as st

from connectors.aws_workspaces.regions import region_choices
from connectors.choices import Recurrence
from connectors.models import InboundConnector
from connectors.nql import NQL_ID_RE, nql_id_suggest
from credentials.models import Credential
from nexthink_admin.names import REFUSED_CATEGORIES, name_key
from tests.connectors.factories import make_connector
from tests.credentials.factories import GOOD_ARN, make_credential

from .strategies import (
    CI,
    INVISIBLE,
    LOOKALIKE,
    NON_ASCII_DIGITS,
    PAYLOADS,
    assert_safe_answer,
    nasty_text,
    numbers_as_text,
    rolled_back,
)

pytestmark = pytest.mark.django_db
REGIONS = [region for region, _ in region_choices()]

role_arns = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            GOOD_ARN,
            f"  {GOOD_ARN}\t",
            GOOD_ARN + "\x00",
            GOOD_ARN.replace("aws:", "aws-cn:", 1),
            GOOD_ARN + "/x",
        ]
    ),
    st.builds(
        "arn:aws:iam::{}:role/{}NexthinkConnector-{}".format,
        st.one_of(
            st.from_regex(r"\d{12}", fullmatch=True),  # any Unicode digit, not only ASCII
            st.sampled_from(NON_ASCII_DIGITS),
            nasty_text,
        ),
        st.one_of(st.just(""), st.just("team/"), nasty_text),
        st.one_of(st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,40}", fullmatch=True), nasty_text),
    ),
)
regions = st.one_of(
    st.sampled_from(REGIONS),
    st.sampled_from(["", "mars-1", "EU-WEST-1", " eu-west-1", "cn-north-1"]),
    nasty_text,
)
recurrences = st.one_of(
    st.sampled_from([str(v) for v in Recurrence.values]), numbers_as_text, nasty_text
)


@pytest.fixture
def credentials_in_place():
    """A ready credential (partition aws, name taken), one waiting for its ARN, and a connector."""
    ready = make_credential("Prod account")
    waiting = make_credential("Waiting account", role_arn="")
    connector = make_connector("AWS Prod EU", credential=ready)
    return {"ready": ready, "waiting": waiting, "connector": connector}


def credential_choice(credentials_in_place):
    return st.one_of(
        st.sampled_from(["ready", "waiting"]).map(lambda key: str(credentials_in_place[key].pk)),
        numbers_as_text,
        nasty_text,
    )


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert form.errors, "a 200 answer to a POST must say what is wrong"
    return form.errors


def assert_no_nul(instance, fields):
    for name in fields:
        assert "\x00" not in str(getattr(instance, name)), f"NUL stored in {name}"


def as_name(value: str) -> str:
    """What a name is stored as: compatibility form (NFKC), stripped."""
    return unicodedata.normalize("NFKC", value).strip()


def assert_a_plain_name(value: str) -> None:
    """No invisible, control or format character; no look-alike of another credential."""
    refused = [c for c in value if unicodedata.category(c) in REFUSED_CATEGORIES]
    assert not refused, f"stored a name with {refused!r}"


def assert_credential_names_distinct() -> None:
    keys = [name_key(n) for n in Credential.objects.values_list("name", flat=True)]
    assert len(keys) == len(set(keys)), f"two credential names look alike: {keys}"


def assert_ascii_account(role_arn: str) -> None:
    if role_arn:
        account = role_arn.split(":")[4]
        assert account.isascii() and account.isdigit() and len(account) == 12, role_arn


@CI
@given(name=nasty_text, protocol=st.one_of(st.just("aws_iam"), nasty_text))
def test_credential_create_stores_the_trimmed_name_or_shows_errors(
    admin_client, credentials_in_place, name, protocol
):
    with rolled_back():
        before = set(Credential.objects.values_list("pk", flat=True))
        response = admin_client.post(
            reverse("credentials:create"), {"name": name, "protocol": protocol}
        )
        assert_safe_answer(response)
        event(f"status {response.status_code}")
        new = Credential.objects.exclude(pk__in=before)
        if response.status_code == 302:
            created = new.get()
            assert created.name == as_name(name) and created.protocol == protocol
            assert len(created.external_id) == 43
            assert_no_nul(created, ["name", "protocol"])
            assert_a_plain_name(created.name)
            assert_credential_names_distinct()
        else:
            form_errors(response)
            assert not new.exists()


@CI
@given(name=nasty_text, role_arn=role_arns)
def test_credential_edit_stores_the_trimmed_name_and_arn_or_changes_nothing(
    admin_client, credentials_in_place, name, role_arn
):
    credential = credentials_in_place["waiting"]
    with rolled_back():
        original = Credential.objects.values().get(pk=credential.pk)
        response = admin_client.post(
            reverse("credentials:edit", args=[credential.pk]), {"name": name, "role_arn": role_arn}
        )
        assert_safe_answer(response)
        event(f"status {response.status_code}")
        stored = Credential.objects.get(pk=credential.pk)
        assert stored.external_id == original["external_id"]
        if response.status_code == 302:
            assert stored.name == as_name(name) and stored.role_arn == role_arn.strip()
            assert_no_nul(stored, ["name", "role_arn"])
            assert_a_plain_name(stored.name)
            assert_credential_names_distinct()
            assert_ascii_account(stored.role_arn)
        else:
            form_errors(response)
            assert Credential.objects.values().get(pk=credential.pk) == original


def connector_post(data):
    return {
        "name": data["name"],
        "nql_id": data["nql_id"],
        "description": data["description"],
        "recurrence": data["recurrence"],
        "credential": data["credential"],
        "region": data["region"],
        "environment_name": data["environment_name"],
    }


def connector_input(credentials_in_place):
    return st.fixed_dictionaries(
        {
            "name": nasty_text,
            "nql_id": st.one_of(
                st.just(""), st.from_regex(r"[a-z][a-z0-9_]{0,70}", fullmatch=True), nasty_text
            ),
            "description": nasty_text,
            "recurrence": recurrences,
            "credential": credential_choice(credentials_in_place),
            "region": regions,
            "environment_name": nasty_text,
        }
    )


def assert_stored_as_cleaned(connector, data, credentials_in_place):
    assert connector.name == as_name(data["name"])
    assert connector.description == data["description"].strip()
    assert connector.environment_name == as_name(" ".join(data["environment_name"].split()))
    assert_a_plain_name(connector.name)
    assert_a_plain_name(connector.environment_name)
    assert connector.parameters["region"] == data["region"]
    assert connector.recurrence == int(data["recurrence"])
    assert connector.credential_id == credentials_in_place["ready"].pk
    assert NQL_ID_RE.fullmatch(connector.nql_id)
    assert_no_nul(connector, ["name", "nql_id", "description", "parameters", "environment_name"])


@CI
@given(data=st.data())
def test_connector_create_stores_the_cleaned_input_or_shows_errors(
    admin_client, credentials_in_place, data
):
    values = data.draw(connector_input(credentials_in_place))
    with rolled_back():
        before = set(InboundConnector.objects.values_list("pk", flat=True))
        tasks_before = PeriodicTask.objects.count()
        response = admin_client.post(
            reverse("connectors:create", args=["aws_workspaces"]), connector_post(values)
        )
        assert_safe_answer(response)
        event(f"status {response.status_code}")
        new = InboundConnector.objects.exclude(pk__in=before)
        if response.status_code == 302:
            connector = new.get()
            assert_stored_as_cleaned(connector, values, credentials_in_place)
            assert connector.nql_id == (values["nql_id"].strip() or nql_id_suggest(values["name"]))
            assert PeriodicTask.objects.count() == tasks_before + 1
        else:
            form_errors(response)
            assert not new.exists() and PeriodicTask.objects.count() == tasks_before


@CI
@given(data=st.data())
def test_connector_edit_stores_the_cleaned_input_keeps_the_nql_id_or_changes_nothing(
    admin_client, credentials_in_place, data
):
    connector = credentials_in_place["connector"]
    values = data.draw(connector_input(credentials_in_place))
    with rolled_back():
        original = InboundConnector.objects.values().get(pk=connector.pk)
        response = admin_client.post(
            reverse("connectors:edit", args=[connector.pk]), connector_post(values)
        )
        assert_safe_answer(response)
        event(f"status {response.status_code}")
        stored = InboundConnector.objects.get(pk=connector.pk)
        assert stored.nql_id == original["nql_id"]
        if response.status_code == 302:
            assert_stored_as_cleaned(stored, values, credentials_in_place)
        else:
            form_errors(response)
            assert InboundConnector.objects.values().get(pk=connector.pk) == original


@pytest.mark.parametrize(
    "taken, variant",
    [
        ("prod account", " PROD Account "),
        ("σ", "Σ"),
        ("i", "ı"),
        ("k", "\u212a"),  # KELVIN SIGN: LOWER() gives 'k', UPPER() keeps it (PostgreSQL)
        ("Ω", "\u2126"),  # OHM SIGN: LOWER() gives 'ω', UPPER() keeps it (PostgreSQL)
    ],
)
@pytest.mark.parametrize("form", ["create", "edit"])
def test_a_name_taken_up_to_case_is_a_field_error_never_a_500(admin_client, form, taken, variant):
    make_credential(taken)
    other = make_credential("Another account", role_arn="")
    before = Credential.objects.count()
    if form == "create":
        response = admin_client.post(
            reverse("credentials:create"), {"name": variant, "protocol": "aws_iam"}
        )
    else:
        response = admin_client.post(
            reverse("credentials:edit", args=[other.pk]), {"name": variant, "role_arn": ""}
        )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "name" in form_errors(response) and Credential.objects.count() == before
    # Never two names the database's own case folding considers equal.
    clashes = (
        Credential.objects.values(folded=Lower("name")).annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not clashes.exists()


@CI
@given(
    name=st.one_of(
        st.sampled_from(LOOKALIKE + INVISIBLE),
        st.builds(
            lambda a, c, b: a + c + b,
            st.sampled_from(LOOKALIKE),
            st.sampled_from(INVISIBLE),
            st.text(max_size=5),
        ),
    ),
    account=st.one_of(st.sampled_from(NON_ASCII_DIGITS), st.from_regex(r"\d{12}", fullmatch=True)),
)
def test_lookalike_names_and_non_ascii_account_ids_are_refused_or_stored_plain(
    admin_client, credentials_in_place, name, account
):
    """The characters of issue 14: zero-width, bidirectional and control
    characters, full-width look-alikes of taken names, non-ASCII digits."""
    from tests.credentials.factories import make_credential as make

    with rolled_back():
        make("Demo")
        make("Straße")
        credential = credentials_in_place["waiting"]
        arn = f"arn:aws:iam::{account}:role/NexthinkConnector-X"
        response = admin_client.post(
            reverse("credentials:edit", args=[credential.pk]), {"name": name, "role_arn": arn}
        )
        assert_safe_answer(response)
        stored = Credential.objects.get(pk=credential.pk)
        if response.status_code == 302:
            assert account.isascii()
            assert_a_plain_name(stored.name)
            assert_ascii_account(stored.role_arn)
        else:
            form_errors(response)
        assert_credential_names_distinct()


def test_the_payload_list_reaches_every_kind_of_hostile_input():
    """Guards the strategies themselves: NUL, 10k strings, SQL, template and HTML payloads."""
    assert "\x00" in PAYLOADS and any(len(p) >= 10_000 for p in PAYLOADS)
    assert (
        "' OR 1=1 --" in PAYLOADS
        and "{{ settings.SECRET_KEY }}" in PAYLOADS
        and "{% debug %}" in PAYLOADS
    )
    assert "<script>alert(1)</script>" in PAYLOADS and '"><img src=x onerror=alert(1)>' in PAYLOADS
