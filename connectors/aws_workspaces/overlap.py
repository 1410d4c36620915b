"""Two connectors reading the same AWS account and region store every
WorkSpace twice: the devices page lists each twice and the export holds two
values for one name. The form and the Run test warn before that happens
(they do not refuse: moving a fleet from one connector to another needs both
for a while)."""

from __future__ import annotations

from ..models import InboundConnector


def role_arn_account(role_arn: str) -> str:
    """The 12-digit account id of `arn:<partition>:iam::<account>:role/...` ("" if none)."""
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else ""


def overlapping_connectors(
    *, connector_type: str, credential, region: str, exclude_pk: int | None = None
) -> list[InboundConnector]:
    """The other connectors of this type that read the credential's account in `region`."""
    account = role_arn_account(getattr(credential, "role_arn", "") or "")
    if not (account and region):
        return []
    partition = credential.role_arn.split(":")[1]
    candidates = (
        InboundConnector.objects.filter(
            connector_type=connector_type,
            parameters__region=region,
            credential__role_arn__startswith=f"arn:{partition}:iam::{account}:",
        )
        .select_related("credential")
        .order_by("name")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [c for c in candidates if role_arn_account(c.credential.role_arn) == account]


def overlap_warning(
    *, connector_type: str, credential, region: str, exclude_pk: int | None = None
) -> str:
    others = overlapping_connectors(
        connector_type=connector_type, credential=credential, region=region, exclude_pk=exclude_pk
    )
    if not others:
        return ""
    names = ", ".join(f"'{c.name}'" for c in others)
    account = role_arn_account(credential.role_arn)
    who = "Another connector already reads" if len(others) == 1 else "Other connectors already read"
    return (
        f"{who} AWS account {account} in {region}: {names}. Two connectors on the same account and"
        " region store every WorkSpace twice (the devices page lists each twice, and the"
        " export gets two values for one name). Keep one connector per account and region."
    )
