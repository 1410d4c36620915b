"""Saving a connector that reads an account and region another connector
already reads is allowed, with a warning that says what it will cause."""

import pytest
from django.urls import reverse

from connectors.models import InboundConnector
from tests.connectors.factories import form_data, make_connector
from tests.credentials.factories import make_credential

pytestmark = pytest.mark.django_db
CREATE = reverse("connectors:create", args=["aws_workspaces"])


def warnings_of(response) -> list[str]:
    """The warnings shown on the page the save led to."""
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_a_second_connector_on_the_same_account_and_region_is_saved_with_a_warning(
    admin_client,
):
    first = make_connector("EU fleet", credential=make_credential("Prod"))
    # Another credential, another role, but the same AWS account.
    other = make_credential(
        "Prod again", role_arn="arn:aws:iam::111122223333:role/NexthinkConnector-Again"
    )
    response = admin_client.post(CREATE, form_data(other, name="EU fleet twice"), follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert InboundConnector.objects.filter(name="EU fleet twice").exists()
    [warning] = warnings_of(response)
    assert "'EU fleet'" in warning and "111122223333" in warning and "eu-west-1" in warning
    assert "twice" in warning
    # Saving the first one again names the second one.
    edit = admin_client.post(
        reverse("connectors:edit", args=[first.pk]),
        form_data(first.credential, name="EU fleet", nql_id=first.nql_id),
        follow=True,
    )
    assert "'EU fleet twice'" in warnings_of(edit)[0]


def test_other_regions_and_other_accounts_save_without_a_warning(admin_client):
    make_connector("EU fleet", credential=make_credential("Prod"))
    other_account = make_credential(
        "Test account", role_arn="arn:aws:iam::444455556666:role/NexthinkConnector-Test"
    )
    response = admin_client.post(
        CREATE, form_data(other_account, name="Other account"), follow=True
    )
    assert response.redirect_chain and warnings_of(response) == []
    same_account = make_credential(
        "Prod US", role_arn="arn:aws:iam::111122223333:role/NexthinkConnector-US"
    )
    response = admin_client.post(
        CREATE, form_data(same_account, name="US fleet", region="us-east-1"), follow=True
    )
    assert response.redirect_chain and warnings_of(response) == []
