"""Injection through queries and parameters, tried and refused: the query
text only ever names declared fields (never ORM paths or SQL), and a
parameter is always one value."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.models import Device
from nql import ast as a
from nql.ast import NqlError
from nql.parser import parse
from nql.selectors import nql_executed_text, nql_run
from tests.properties.strategies import CI, SQL

from .test_api import EXECUTE

pytestmark = pytest.mark.django_db
EVERYTHING = lambda table: True  # noqa: E731


@pytest.mark.parametrize(
    "text",
    [
        "devices | list connector__credential__external_id",
        "devices | list connector.credential.external_id",
        'devices | where connector__credential__role_arn == "*" | list name',
        "devices | sort connector__credential__external_id",
        "devices | summarize n = count() by connector__credential__name",
        "devices | list password",
        "auth_user | list password",
        "credentials_credential | list external_id",
    ],
)
def test_orm_paths_and_other_tables_are_not_reachable(fleet, text):
    with pytest.raises(NqlError, match="unknown (field|table)"):
        nql_run(text=text, can_query=EVERYTHING)


@pytest.mark.parametrize(
    "text",
    [
        "devices; DROP TABLE connectors_device",
        'devices | where name == "x"; DELETE FROM connectors_device',
        'devices | where name == "x" -- comment',
        "devices | where 1 = 1",
        "devices | where name == 'x' OR '1'='1'",
        "devices /* c */ | list name",
        "devices | list name UNION SELECT password FROM auth_user",
    ],
)
def test_sql_in_the_query_text_is_a_syntax_error(fleet, text):
    with pytest.raises(NqlError):
        nql_run(text=text, can_query=EVERYTHING)
    assert Device.objects.count() == 12


@pytest.mark.parametrize("value", SQL)
def test_sql_in_a_string_value_is_just_a_value(fleet, value):
    text = f"devices | where name == {json.dumps(value)} | list name"
    assert nql_run(text=text, can_query=EVERYTHING).rows == []
    assert Device.objects.count() == 12


def _shape(node):
    """The query's structure with every string value blanked out."""
    if isinstance(node, a.Literal):
        return ("literal", node.kind if node.kind != "pstring" else "string")
    if isinstance(node, a.Pos):
        return None
    if isinstance(node, tuple | list):
        return tuple(_shape(n) for n in node)
    if hasattr(node, "__dataclass_fields__"):
        return (type(node).__name__, *(_shape(getattr(node, f)) for f in node.__dataclass_fields__))
    return node


SAVED = 'devices | where virtualization.region == $region and name != "x" | list name'
HOSTILE = [
    '" or name == "*',
    'eu-west-1" | list connector.name | where name == "*',
    "\\",
    '\\"',
    "$region",
    ") or (1 == 1",
    "*",
    *SQL,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_parameter_never_changes_the_query_shape(value):
    executed = nql_executed_text(text=SAVED, params={"region": value})
    query = parse(executed)
    assert _shape(query) == _shape(parse(SAVED.replace("$region", '"v"')))
    assert query.clauses[0].cond.items[0].right.value == value


@CI
@given(value=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=60))
def test_any_parameter_text_round_trips_as_one_string_value(value):
    executed = nql_executed_text(text=SAVED, params={"region": value})
    query = parse(executed)
    assert query.clauses[0].cond.items[0].right.value == value
    assert len(query.clauses) == 2


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_parameters_through_the_api_match_nothing_and_touch_nothing(
    client, fleet, saved_query, token_for, value
):
    saved_query("#by_region", "devices | where virtualization.region == $region | list name")
    token = token_for("nql:devices")
    response = client.post(
        EXECUTE,
        json.dumps({"queryId": "#by_region", "parameters": {"region": value}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    expected = 11 if value == "*" else 0  # * is the platform's wildcard, inside the one value
    assert response.json()["rows"] == expected
    assert Device.objects.count() == 12


@pytest.mark.parametrize("value", ["a\nb", "\x00", "x\r\n| list connector.name"])
def test_parameters_with_line_breaks_or_control_characters_are_400(
    client, saved_query, token_for, value
):
    saved_query("#by_region", "devices | where virtualization.region == $region | list name")
    response = client.post(
        EXECUTE,
        json.dumps({"queryId": "#by_region", "parameters": {"region": value}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for('nql:devices')}",
    )
    assert response.status_code == 400
    assert response.json()["source"] == "parameters"


@CI
@given(text=st.text(max_size=120))
def test_any_text_is_a_result_or_a_clear_error_never_a_crash(text):
    try:
        nql_run(text=text, can_query=EVERYTHING)
    except NqlError as error:
        assert str(error)
