"""Writes to credentials. Views, forms and admin call these; nothing else
creates, changes or deletes a Credential."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from nexthink_admin.audit import audit_diff, audit_record, audit_snapshot
from nexthink_admin.names import name_clean

from .models import Credential, Protocol, Verification
from .validators import validate_role_arn

AUDITED = ("name", "protocol", "role_arn")
VERIFICATION_FIELDS = ["verification", "verified_at", "verification_code", "verification_message"]
EXTERNAL_ID_BYTES = 32  # 256 bits; token_urlsafe gives 43 chars of [A-Za-z0-9_-]


class CredentialInUse(Exception):
    def __init__(self, connector_names: list[str]):
        self.connector_names = connector_names
        super().__init__("Credential is used by: " + ", ".join(connector_names))


def external_id_generate() -> str:
    return secrets.token_urlsafe(EXTERNAL_ID_BYTES)


def credential_create(
    *, name: str, protocol: str = Protocol.AWS_IAM, role_arn: str = "", user=None
) -> Credential:
    """Create a credential with a fresh External ID (unique: a collision, at
    256 bits never expected, is simply drawn again), and its Role ARN when
    given: one transaction, one audit event."""
    name = name_clean(name, what="credential name")
    role_arn = role_arn.strip()
    if role_arn:
        role_arn = validate_role_arn(role_arn, prefix=settings.AWS_ROLE_NAME_PREFIX)
    for _ in range(3):
        try:
            with transaction.atomic():
                credential = Credential.objects.create(
                    name=name,
                    protocol=protocol,
                    role_arn=role_arn,
                    external_id=external_id_generate(),
                    created_by=user if user and user.is_authenticated else None,
                )
                audit_record(
                    actor=user,
                    action="created",
                    obj=credential,
                    object_type="credential",
                    changes=audit_diff({}, audit_snapshot(credential, AUDITED)),
                )
                return credential
        except IntegrityError:
            from .selectors import credential_name_taken

            if credential_name_taken(name=name):
                raise
    raise RuntimeError("Could not draw a unique External ID")


def credential_update(*, credential: Credential, name: str, role_arn: str, user=None) -> Credential:
    """Rename and set (or clear) the Role ARN. The External ID never changes.
    Clearing the Role ARN of a credential that connectors use raises
    CredentialInUse: their runs could not assume any role."""
    from .selectors import credential_connector_names

    name = name_clean(name, what="credential name")
    role_arn = role_arn.strip()
    if role_arn:
        role_arn = validate_role_arn(role_arn, prefix=settings.AWS_ROLE_NAME_PREFIX)
    with transaction.atomic():
        # The audit's before-image is read, locked, inside the write's transaction.
        stored = Credential.objects.select_for_update().get(pk=credential.pk)
        before = audit_snapshot(stored, AUDITED)
        if not role_arn and stored.role_arn:
            names = credential_connector_names(credential=stored)
            if names:
                raise CredentialInUse(names)
        credential.name = name
        credential.role_arn = role_arn
        fields = ["name", "role_arn", "updated_at"]
        if role_arn != stored.role_arn:  # a verification of another role says nothing of this one
            _verification_reset(credential)
            fields += VERIFICATION_FIELDS
        credential.save(update_fields=fields)
        changes = audit_diff(before, audit_snapshot(credential, AUDITED))
        if changes:
            audit_record(
                actor=user,
                action="changed",
                obj=credential,
                object_type="credential",
                changes=changes,
            )
    return credential


def credential_delete(*, credential: Credential, user=None) -> None:
    """Delete, unless a connector still uses the credential."""
    from .selectors import credential_connector_names

    with transaction.atomic():
        names = credential_connector_names(credential=credential)
        if names:
            raise CredentialInUse(names)
        audit_record(actor=user, action="deleted", obj=credential, object_type="credential")
        credential.delete()


class NothingToVerify(Exception):
    """The credential has no Role ARN yet: there is no role to assume."""


def _verification_reset(credential: Credential) -> None:
    credential.verification = Verification.NOT_VERIFIED
    credential.verified_at = None
    credential.verification_code = credential.verification_message = ""


def credential_verify(*, credential: Credential, user=None):
    """Verify: assume the role with the External ID (nothing else), keep the
    outcome and its time on the credential; returns the outcome (with its hint).
    Raises NothingToVerify without a Role ARN (AWS is then not called)."""
    from connectors.registry import credential_type

    if not credential.role_arn:
        raise NothingToVerify(f"The credential '{credential.name}' has no AWS Role ARN yet.")
    role_arn = credential.role_arn
    result = credential_type(credential.protocol).credential_verify(credential)
    values = {
        "verification": Verification.VERIFIED if result.ok else Verification.FAILED,
        "verified_at": timezone.now(),
        "verification_code": result.code[:100],
        "verification_message": result.message[:2000],
    }
    # Only if the Role ARN is still the one verified (it may have been edited meanwhile).
    Credential.objects.filter(pk=credential.pk, role_arn=role_arn).update(**values)
    for name, value in values.items():
        setattr(credential, name, value)
    return result
