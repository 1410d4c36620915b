"""Validation of what an administrator types about AWS IAM."""

import re

from django.core.exceptions import ValidationError

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_PATH_CHARS = re.compile(r"[\x21-\x7e]*")
EXAMPLE = "arn:aws:iam::123456789012:role/{prefix}WorkSpaces"


def validate_role_arn(value: str, *, prefix: str) -> str:
    """Return the ARN stripped of surrounding whitespace, or raise a
    ValidationError that names the one part that is wrong."""
    arn = value.strip()
    example = EXAMPLE.format(prefix=prefix)
    if not arn.startswith("arn:"):
        raise ValidationError(
            f"An AWS Role ARN starts with 'arn:', for example {example}.", code="not_arn"
        )
    parts = arn.split(":", 5)
    if len(parts) != 6:
        raise ValidationError(
            "This is not a complete ARN: expected arn:PARTITION:iam::ACCOUNT:role/NAME,"
            f" for example {example}.",
            code="malformed",
        )
    _, partition, service, region, account, resource = parts
    if partition not in PARTITIONS:
        raise ValidationError(
            f"Unknown partition '{partition}': use aws, aws-cn or aws-us-gov.", code="partition"
        )
    if service != "iam":
        raise ValidationError(
            f"This ARN is for the '{service}' service; a role ARN is an 'iam' ARN.", code="service"
        )
    if region:
        raise ValidationError(
            f"IAM ARNs have no region, but this one has '{region}'"
            f" (expected arn:{partition}:iam::ACCOUNT:...).",
            code="region",
        )
    if not re.fullmatch(r"[0-9]{12}", account):  # ASCII only: \d would take ١ and １ too
        raise ValidationError(
            f"The account ID must be exactly 12 digits; got '{account}'.", code="account"
        )
    if not resource.startswith("role/"):
        kind = resource.split("/", 1)[0] or "nothing"
        raise ValidationError(
            f"The ARN must point to a role (role/NAME), not to '{kind}'.", code="resource"
        )
    path, _, name = resource[len("role/") :].rpartition("/")
    if path and (len(path) > 510 or not _PATH_CHARS.fullmatch(path)):
        raise ValidationError("The role path has characters IAM does not allow.", code="path")
    if not name:
        raise ValidationError("The ARN has no role name after 'role/'.", code="name")
    if not _ROLE_NAME.fullmatch(name):
        raise ValidationError(
            "The role name must be 1 to 64 characters of letters, digits and + = , . @ _ -"
            f" (got '{name[:80]}').",
            code="name",
        )
    if not name.startswith(prefix):
        raise ValidationError(
            f"The role name must start with '{prefix}' (this one is named '{name}').", code="prefix"
        )
    return arn
