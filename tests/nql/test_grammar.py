"""The grammar table: queries the language accepts, and queries it refuses
with the message a user sees (line, column, what was expected)."""

import pytest

from nql.ast import NqlError
from nql.compiler import ANY_PARAMS, compile_query
from nql.examples import EXAMPLES

VALID = [
    *(text for _, text in EXAMPLES),
    "devices",
    'DEVICES | WHERE name == "x" AND NOT (name == "y") | LIST name | SORT name DESC | LIMIT 3',
    'devices\n| where name = "ws-*"\n| list name',
    'devices | where name == "a\\"b"',
    "devices during past 45min | list name",
    "devices during past 12h",
    "devices from 2026-11-01 00:00:00 to 2026-11-08 00:00:00 | list name",
    "devices from 2026-11-01 to 2026-11-08",
    "devices from 2026-11-01T10:00 to 2026-11-01T12:00",
    "devices on 2026-11-28",
    'devices | where virtualization.region in ["eu-west-1"] and aws.state !in ["ERROR", "STOPPED"]',
    "devices | where virtualization.desktop_pool == null or virtualization.disk_image != null",
    'devices | where virtualization.type == "pooled"',
    "devices | where virtualization.last_update >= 2026-11-01",
    "devices | where virtualization.last_update.time_elapsed() <= 3600",
    "devices | list device.name, virtualization.last_update.time_elapsed()",
    'devices | where connector.nql_id == "aws_prod_eu" | list name, connector.name',
    "devices | summarize n = count()",
    "devices | summarize n = count(), p = countif(virtualization.type == pooled) * 100 / count()",
    "devices | summarize n = count() by virtualization.region | list n, virtualization.region",
    "devices | summarize n = count() by 15min",
    "devices | summarize newest = virtualization.last_update.max() by virtualization.region",
    "connector.runs | summarize seen = devices_seen.sum(), mean = devices_seen.avg(), "
    "low = devices_seen.min(), high = devices_seen.max() by connector.nql_id",
    "connector.runs during past 7d | where status == failed or status == partial | sort time desc",
    "connector.runs | summarize n = count() by 2h | sort n desc",
    "connector.runs | where devices_seen > 10 and throttled >= 1.5",
    "devices | where virtualization.region == $region | list name",
]

INVALID = [
    ("", "line 1, column 1: Enter an NQL query, for example: devices | list name"),
    (
        "devices |",
        'line 1, column 10: the query ends too early: expected "limit", "list", "sort", '
        '"summarize" or "where" after "|"',
    ),
    (
        "devices | where",
        'line 1, column 16: the query ends too early: expected a field name, "(" or "not" '
        'after "where"',
    ),
    (
        "devices | where == 3",
        'line 1, column 17: expected a field name, "(" or "not" after "where", not "=="',
    ),
    (
        "devices | list",
        'line 1, column 15: the query ends too early: expected a field name after "list"',
    ),
    (
        "devices during past 7x",
        'line 1, column 21: expected a duration (15min, 2h, 7d) after "past", not "7"',
    ),
    ("devices during 7d", 'line 1, column 16: expected "past" after "during", not "7d"'),
    (
        "devices | where name == 'x'",
        'line 1, column 25: unexpected character "\'": expected a value (a quoted string, a '
        "number, a duration such as 2d, a date, null, an enum value or a $parameter)",
    ),
    (
        "devices | sort name up",
        'line 1, column 21: expected "|", "asc" or "desc" after "name", not "up"',
    ),
    (
        "devices | where name ==",
        "line 1, column 24: the query ends too early: expected a value (a quoted string, a "
        'number, a duration such as 2d, a date, null, an enum value or a $parameter) after "=="',
    ),
    (
        'devices | where name = "a" and',
        'line 1, column 31: the query ends too early: expected a field name, "(" or "not" '
        'after "and"',
    ),
    (
        "devices | wherever x == 1",
        'line 1, column 11: expected "limit", "list", "sort", "summarize" or "where" after '
        '"|", not "wherever"',
    ),
    (
        "devices\n| where name ~ 3",
        'line 2, column 14: unexpected character "~": expected a comparison (==, !=, <, <=, >, '
        '>=), "!in", "(" or "in"',
    ),
    (
        'devices | where name == "open',
        'line 1, column 25: this string is not closed: add the closing "',
    ),
    ("devices on 2026-13-01", 'line 1, column 12: "2026-13-01" is not a real date'),
    (
        "devices | summarize n = count() by",
        "line 1, column 35: the query ends too early: expected a field name or a duration "
        '(15min, 2h, 7d) after "by"',
    ),
    (
        "devices | summarize n = foo()",
        'line 1, column 25: "foo()" is not an aggregate: expected count(), countif(...), '
        "field.sum(), field.avg(), field.min() or field.max()",
    ),
    (
        "devices | summarize n = countif()",
        "line 1, column 25: countif() needs a condition: countif(<condition>)",
    ),
    (
        "devices | summarize n = name.sum()",
        "line 1, column 25: sum() needs a number field; name is a string",
    ),
    (
        "devices | summarize n = count() by virtualization.last_update",
        "line 1, column 36: cannot summarize by virtualization.last_update (a datetime): group "
        "by a string or enum field, or by a time bucket such as by 1d",
    ),
    (
        "devices | summarize name = count()",
        'line 1, column 21: "name" is a field of devices: choose another name',
    ),
    (
        "devices | summarize n = count() by 20min",
        "line 1, column 36: time buckets in minutes are multiples of 15 (15min, 30min...)",
    ),
    (
        "devices | list name | summarize n = count()",
        "line 1, column 33: summarize must come before list, sort and limit",
    ),
    (
        'devices | summarize n = count() | where name == "x"',
        "line 1, column 41: where after summarize is not supported: filter before summarizing",
    ),
    (
        "devices | summarize n = count() | sort name",
        'line 1, column 40: after summarize, sort by one of its columns: n; not "name"',
    ),
    (
        "devices | summarize n = count() by virtualization.region | list name",
        "line 1, column 65: after summarize, list takes its columns: virtualization.region, n; "
        'not "name"',
    ),
    ("devices | limit 0", "line 1, column 17: limit must be at least 1"),
    ("device | list name", 'line 1, column 1: unknown table "device"; did you mean devices?'),
    (
        "devices | list virtualization.pool",
        'line 1, column 16: unknown field "virtualization.pool" in table devices; did you mean '
        "virtualization.type, virtualization.desktop_pool or virtualization.region?",
    ),
    (
        "devices | where virtualization.type == shared",
        "line 1, column 40: shared is not a value of virtualization.type: expected one of "
        "personal, pooled",
    ),
    (
        "devices | where virtualization.region == eu",
        'line 1, column 42: virtualization.region is a string: write the value quoted, "eu"',
    ),
    (
        'devices | where virtualization.region > "a"',
        "line 1, column 17: > compares numbers and dates; virtualization.region is a string: "
        "use == or !=",
    ),
    (
        'devices | where virtualization.last_update > "yesterday"',
        "line 1, column 46: virtualization.last_update is a datetime and cannot be compared "
        'with the string "yesterday"',
    ),
    (
        "devices | where name.time_elapsed() > 2d",
        "line 1, column 17: time_elapsed() needs a datetime field; name is not one",
    ),
    (
        'devices | where virtualization.last_update.time_elapsed() > "2d"',
        "line 1, column 61: time_elapsed() is a duration: compare it with a duration such as "
        '2d, not the string "2d"',
    ),
    (
        'devices | where name.lower() == "x"',
        'line 1, column 17: "name.lower()" is not a field function: expected a field name, or '
        "field.time_elapsed()",
    ),
    (
        "devices | where name == null and name < null",
        "line 1, column 41: null can only be compared with == or !=, not <",
    ),
    (
        "devices from 2026-11-08 to 2026-11-01",
        "line 1, column 28: the end of the time selection must come after its start",
    ),
    (
        "connector.runs | summarize s = status.sum()",
        "line 1, column 32: sum() needs a number field; status is an enum",
    ),
    (
        'connector.runs | where devices_seen == "ten"',
        'line 1, column 40: devices_seen is a number and cannot be compared with the string "ten"',
    ),
    ("devices | where name == $who", "line 1, column 25: the parameter $who has no value"),
    ('devices | where name == "a\x00"', "line 1, column 27: the query holds a NUL character"),
]


@pytest.mark.parametrize("text", VALID)
def test_valid_query_compiles(text):
    compile_query(text, params=ANY_PARAMS)


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_query_is_refused_with_its_position_and_what_was_expected(text, message):
    with pytest.raises(NqlError) as caught:
        compile_query(text)
    assert str(caught.value) == message


def test_a_query_past_the_length_limit_is_refused_without_parsing():
    with pytest.raises(NqlError, match="longer than 10,000 characters"):
        compile_query("devices | where " + " or ".join(['name == "x"'] * 1000))
