import json
import re

import pytest
from django.db import IntegrityError

from credentials import policies, services
from credentials.models import Credential, CredentialStatus

pytestmark = pytest.mark.django_db
STS_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)


def test_external_id_is_generated_strong_and_valid_for_sts():
    credential = services.credential_create(name="Prod")
    assert STS_EXTERNAL_ID.fullmatch(credential.external_id)
    # 32 random bytes, url-safe base64: 43 characters, 256 bits.
    assert len(credential.external_id) == 43


def test_external_ids_are_unique_across_many_credentials():
    ids = {services.credential_create(name=f"cred {i}").external_id for i in range(200)}
    assert len(ids) == 200


def test_external_id_column_is_unique_in_the_database():
    first = services.credential_create(name="one")
    with pytest.raises(IntegrityError):
        Credential.objects.create(name="two", external_id=first.external_id)


def test_names_are_unique_case_insensitively_in_the_database():
    services.credential_create(name="Prod")
    with pytest.raises(IntegrityError):
        services.credential_create(name="PROD")


def test_status_follows_the_role_arn():
    credential = services.credential_create(name="Prod")
    assert credential.status == CredentialStatus.WAITING_FOR_ROLE_ARN
    assert credential.get_status_display() == "Waiting for role ARN"
    services.credential_update(
        credential=credential,
        name="Prod",
        role_arn=" arn:aws:iam::111122223333:role/NexthinkConnector-A ",
    )
    credential.refresh_from_db()
    assert credential.role_arn == "arn:aws:iam::111122223333:role/NexthinkConnector-A"
    assert credential.get_status_display() == "Ready"


def test_update_never_changes_the_external_id():
    credential = services.credential_create(name="Prod")
    before = credential.external_id
    services.credential_update(credential=credential, name="Renamed", role_arn="")
    credential.refresh_from_db()
    assert credential.external_id == before


def test_permissions_policy_has_exactly_the_five_reference_actions():
    doc = json.loads(policies.as_json(policies.permissions_policy()))
    assert doc["Version"] == "2012-10-17"
    (statement,) = doc["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert sorted(statement["Action"]) == sorted(
        [
            "workspaces:DescribeWorkspaceImages",
            "workspaces:DescribeWorkspacesPoolSessions",
            "workspaces:DescribeWorkspacesPools",
            "workspaces:DescribeWorkspaceBundles",
            "workspaces:DescribeWorkspaces",
        ]
    )


def test_trust_policy_trusts_the_configured_account_with_the_external_id():
    doc = json.loads(
        policies.as_json(
            policies.trust_policy(external_id="abc-123", trusted_account_id="999988887777")
        )
    )
    (statement,) = doc["Statement"]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::999988887777:root"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "abc-123"}}
