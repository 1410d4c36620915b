"""Hostile input for the property tests, and what every answer must satisfy."""

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

# Two CI cores: a modest number of examples, no per-example deadline.
CI = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SQL = [
    "' OR 1=1 --",
    "'; DROP TABLE credentials_credential; --",
    '" OR ""="',
    "1; SELECT 1",
    "%",
    "_",
    "\\",
]
TEMPLATE = [
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{{ request.user.password }}",
    "{% load static %}",
    "{#",
    "{{",
]
HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
]
CONTROL = [
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\r\n",
    "\t",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\x7f",
    "\x85",
    "\u2028",
]
# Characters a name must not hold, and names that only look like others (issue 14).
INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\u061c",  # Arabic letter mark
    "\u202a",  # left-to-right embedding
    "\u202d",  # left-to-right override
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\ufeff",  # byte order mark
    "\x07",
    "\x1b",
    "\x9b",
    "\ue000",  # private use
]
LOOKALIKE = ["\uff24emo", "Demo", "DEMO", "\uff30rod account", "Stra\u00dfe", "STRASSE", "\ufb01le"]
NON_ASCII_DIGITS = ["\u0661" * 12, "\u06f1" * 12, "\uff11" * 12, "\u0967" * 12, "11112222333\u0663"]
LONG = ["x" * 10_000, "名" * 10_000, " " * 10_000, "a" * 101, "a" * 100, " " + "b" * 100 + " "]
NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "99999999999999999999",
    "9223372036854775808",
    "1e9",
    "1.5",
    "NaN",
    "Infinity",
    "0x10",
    "１２",
    "١٢",
    "²",
    "①",
    " 1 ",
    "+1",
    "-0",
]
PAYLOADS = (
    SQL
    + TEMPLATE
    + HTML
    + CONTROL
    + INVISIBLE
    + [f"Pay{c}roll" for c in INVISIBLE]
    + LOOKALIKE
    + NON_ASCII_DIGITS
    + LONG
    + NUMBERS
    + ["", " ", "AWS Prod EU", "Prod account", "PROD ACCOUNT "]
)


def _payload(index: int) -> str:
    return PAYLOADS[index]


# By index, so a strategy's repr stays short (some payloads are 10k characters).
payload = st.sampled_from(range(len(PAYLOADS))).map(_payload)
nasty_text = st.one_of(
    payload,
    st.text(max_size=120),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=40),  # ASCII and C0/C1 controls
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=10), payload, st.text(max_size=10)),
)
numbers_as_text = st.one_of(
    st.sampled_from(NUMBERS), st.integers().map(str), st.integers(min_value=2**62).map(str)
)

ALLOWED_STATUSES = {200, 302, 400, 404, 405, 429}
MARKERS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>")


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_safe_answer(response) -> str:
    """A clear 2xx/3xx/4xx, no secret key, and in HTML no unescaped script; returns the body."""
    assert response.status_code in ALLOWED_STATUSES, f"status {response.status_code}"
    body = body_of(response)
    assert settings.SECRET_KEY not in body, "the SECRET_KEY was rendered"
    for marker in MARKERS if response.get("Content-Type", "").startswith("text/html") else ():
        assert marker not in body, f"unescaped {marker!r} in the answer"
    return body


@contextmanager
def rolled_back():
    """Each example's writes are undone (a savepoint inside the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
