"""The AWS WorkSpaces connector type, as the registry (connectors/registry.py) sees it."""

from __future__ import annotations

from django import forms

from credentials.models import Protocol

from ..registry import ConnectorType
from . import aws
from .collector import collect_connector
from .mapping import reconcile, stored_values
from .pool_mapping import PoolRecord, SessionRecord
from .probe import TESTS_PER_MINUTE
from .regions import region_choices, region_partition


class AwsWorkspacesType(ConnectorType):
    name = "aws_workspaces"
    label = "AWS WorkSpaces"
    description = (
        "Virtual desktops, bundles, images, pools and pool sessions from Amazon WorkSpaces."
    )
    logo = "AWS"
    credential_protocol = Protocol.AWS_IAM
    urls = "connectors.aws_workspaces.urls"
    test_url_name = "connectors:test"
    test_intro = (
        "Calls AWS now with the credential and region above: assumes the role with the"
        " External ID, then makes one small call for each of the five actions the role must"
        f" allow. Nothing is saved. Up to {TESTS_PER_MINUTE} tests a minute; a form error does"
        " not count."
    )

    def parameter_fields(self) -> dict[str, forms.Field]:
        return {
            "region": forms.ChoiceField(
                label="Region",
                choices=[("", "Select a region"), *region_choices()],
                help_text="The AWS region where the WorkSpaces are.",
            )
        }

    def clean_parameters(self, parameters: dict, *, credential) -> dict[str, str]:
        region = parameters.get("region")
        if not (credential and region):
            return {}
        partition = credential.role_arn.split(":")[1]
        if region_partition(region) != partition:
            return {
                "region": f"{region} is in the {region_partition(region)} partition,"
                f" but the credential's role is in {partition}."
            }
        return {}

    def overlap_warning(self, parameters: dict, *, credential, exclude_pk=None) -> str:
        from .overlap import overlap_warning

        return overlap_warning(
            connector_type=self.name,
            credential=credential,
            region=parameters.get("region") or "",
            exclude_pk=exclude_pk,
        )

    def credential_verify(self, credential):
        from .credential_verify import role_verify

        return role_verify(
            role_arn=credential.role_arn,
            external_id=credential.external_id,
            label=f"verify-{credential.pk}",
        )

    def credential_hint(self, code: str) -> str:
        from .credential_verify import verification_hint

        return verification_hint(code)

    def call_stats(self) -> aws.CallStats:
        return aws.CallStats()

    def collect(self, connector, *, stats, on_page, stop=None):
        return collect_connector(connector, stats=stats, on_page=on_page, stop=stop)

    def device_values(self, record, *, connector) -> dict:
        return stored_values(
            record,
            environment_name=connector.environment_name,
            region=connector.parameters["region"],
        )

    def reconcile_values(self, values: dict, *, device) -> dict:
        return reconcile(values, device)

    def store_more(self, batch, *, connector, run, now, guard=None):
        """Pools and their sessions go to their own tables, not to devices."""
        from ..pools.services import pools_upsert

        pools = [r for r in batch if isinstance(r, PoolRecord)]
        sessions = [r for r in batch if isinstance(r, SessionRecord)]
        if not (pools or sessions):
            return batch, None
        devices = [r for r in batch if not isinstance(r, PoolRecord | SessionRecord)]
        counts = pools_upsert(
            connector=connector, run=run, pools=pools, sessions=sessions, now=now, guard=guard
        )
        return devices, counts

    def mark_removed_more(self, *, connector, run, now, guard=None) -> int:
        from ..pools.services import pools_mark_removed

        return pools_mark_removed(connector=connector, run=run, now=now, guard=guard)
