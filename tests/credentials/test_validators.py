import pytest
from django.core.exceptions import ValidationError

from credentials.validators import validate_role_arn

PREFIX = "NexthinkConnector-"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::111122223333:role/NexthinkConnector-WorkSpaces",
        "arn:aws-cn:iam::111122223333:role/NexthinkConnector-x",
        "arn:aws-us-gov:iam::111122223333:role/NexthinkConnector-a+=,.@_-b",
        "arn:aws:iam::111122223333:role/service-roles/team/NexthinkConnector-WS",
        "  arn:aws:iam::111122223333:role/NexthinkConnector-WorkSpaces\n",
        "arn:aws:iam::111122223333:role/NexthinkConnector-" + "x" * (64 - len(PREFIX)),
    ],
)
def test_valid_role_arns_are_accepted_and_stripped(arn):
    assert validate_role_arn(arn, prefix=PREFIX) == arn.strip()


@pytest.mark.parametrize(
    "arn, code, message_part",
    [
        ("NexthinkConnector-WorkSpaces", "not_arn", "starts with 'arn:'"),
        ("arn:aws:iam:111122223333:role/NexthinkConnector-X", "malformed", "not a complete ARN"),
        (
            "arn:aws-eu:iam::111122223333:role/NexthinkConnector-X",
            "partition",
            "Unknown partition 'aws-eu'",
        ),
        ("arn:aws:sts::111122223333:role/NexthinkConnector-X", "service", "'sts' service"),
        ("arn:aws:iam:us-east-1:111122223333:role/NexthinkConnector-X", "region", "no region"),
        ("arn:aws:iam::11112222333:role/NexthinkConnector-X", "account", "exactly 12 digits"),
        ("arn:aws:iam::11112222333a:role/NexthinkConnector-X", "account", "exactly 12 digits"),
        ("arn:aws:iam::111122223333:user/NexthinkConnector-X", "resource", "not to 'user'"),
        ("arn:aws:iam::111122223333:role/", "name", "no role name"),
        (
            "arn:aws:iam::111122223333:role/NexthinkConnector-" + "x" * 60,
            "name",
            "1 to 64 characters",
        ),
        ("arn:aws:iam::111122223333:role/NexthinkConnector-bad*name", "name", "1 to 64 characters"),
        ("arn:aws:iam::111122223333:role/NexthinkConnector-é", "name", "1 to 64 characters"),
        (
            "arn:aws:iam::111122223333:role/WorkSpacesReader",
            "prefix",
            "must start with 'NexthinkConnector-'",
        ),
        ("arn:aws:iam::111122223333:role/path with space/NexthinkConnector-X", "path", "path"),
    ],
)
def test_invalid_role_arns_name_the_part_that_is_wrong(arn, code, message_part):
    with pytest.raises(ValidationError) as exc:
        validate_role_arn(arn, prefix=PREFIX)
    assert exc.value.code == code
    assert message_part in exc.value.messages[0]


@pytest.mark.parametrize(
    "account",
    [
        "١١١١٢٢٢٢٣٣٣٣",  # ARABIC-INDIC DIGITS
        "۱۱۱۱۲۲۲۲۳۳۳۳",  # EXTENDED ARABIC-INDIC DIGITS
        "１１１１２２２２３３３３",  # FULLWIDTH DIGITS
        "१११११२२२२३३३",  # DEVANAGARI DIGITS
        "11112222333" + "\u0663",  # one non-ASCII digit among ASCII ones
    ],
)
def test_an_account_id_of_non_ascii_digits_is_refused(account):
    with pytest.raises(ValidationError) as exc:
        validate_role_arn(f"arn:aws:iam::{account}:role/NexthinkConnector-X", prefix=PREFIX)
    assert exc.value.code == "account"
