"""NQL IDs: how a connector is referenced in NQL queries."""

import re
import unicodedata

from django.core.exceptions import ValidationError

NQL_ID_MAX = 64
NQL_ID_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")


def nql_id_suggest(name: str) -> str:
    """`AWS Prod EU` -> `aws_prod_eu`. Mirrors static/js/connector_form.js."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if slug and not slug[0].isalpha():
        slug = f"c_{slug}"
    return slug[:NQL_ID_MAX].rstrip("_") or "connector"


def nql_id_validate(value: str) -> str:
    if not value:
        raise ValidationError("Enter an NQL ID.", code="required")
    if len(value) > NQL_ID_MAX:
        raise ValidationError(
            f"At most {NQL_ID_MAX} characters (this one has {len(value)}).", code="max_length"
        )
    if not value[0].isalpha() or not value[0].islower() or not value[0].isascii():
        raise ValidationError("The NQL ID must start with a lowercase letter.", code="start")
    if not NQL_ID_RE.fullmatch(value):
        raise ValidationError(
            "Use only lowercase letters, digits and underscores (for example aws_prod_eu).",
            code="chars",
        )
    return value
