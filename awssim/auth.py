"""IAM/STS enforcement that moto does not do: role trust, ExternalId, role permissions.

Roles and policies live in moto's IAM backend (global to the process). Which
access key belongs to which assumed role is recorded per simulator when an
AssumeRole through it succeeds (falling back to moto's own STS records).
Plain, non-``ASIA`` keys are treated as the account's administrator: they
may call anything; only assumed-role sessions are checked against policies.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import unquote

from moto.iam.models import get_account_id_from, iam_backends
from moto.sts.models import sts_backends

FIVE_ACTIONS: tuple[str, ...] = (
    "workspaces:DescribeWorkspaces",
    "workspaces:DescribeWorkspaceBundles",
    "workspaces:DescribeWorkspaceImages",
    "workspaces:DescribeWorkspacesPools",
    "workspaces:DescribeWorkspacesPoolSessions",
)
ROLE_ARN_RE = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$", re.A
)
_CRED_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


class CredentialError(Exception):
    """The request's credentials are unknown (``expired`` False) or expired."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass
class AssumedSession:
    """Credentials handed out by a successful AssumeRole."""

    access_key_id: str
    account_id: str
    partition: str
    role_arn: str
    role_name: str
    session_name: str
    expires_at: float

    @property
    def arn(self) -> str:
        role = f"assumed-role/{self.role_name}/{self.session_name}"
        return f"arn:{self.partition}:sts::{self.account_id}:{role}"


@dataclass
class Caller:
    """Who made a request: account, ARN and, for role sessions, the session."""

    access_key: str
    account_id: str
    arn: str
    session: AssumedSession | None = None


def credential_scope(authorization: str | None) -> tuple[str, str, str] | None:
    """(access key, region, service) from a SigV4 Authorization header."""
    match = _CRED_RE.search(authorization or "")
    return (match.group(1), match.group(2), match.group(3)) if match else None


def partition_of(region: str) -> str:
    return (
        "aws-cn"
        if region.startswith("cn-")
        else "aws-us-gov"
        if region.startswith("us-gov-")
        else "aws"
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, fold: bool = False) -> bool:
    if fold:
        pattern, value = pattern.lower(), value.lower()
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.S) is not None


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    text = str(raw)
    if text.lstrip().startswith("%7B"):
        text = unquote(text)
    return json.loads(text)


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(doc.get("Statement", [])) if isinstance(s, dict)]


def conditions_hold(condition: dict[str, Any], context: dict[str, str | None]) -> bool:
    """Evaluate a policy Condition block (String* operators, Null, IfExists).

    Unknown operators fail closed (the statement does not apply).
    """
    for operator, pairs in condition.items():
        if_exists = operator.endswith("IfExists")
        op = operator[: -len("IfExists")] if if_exists else operator
        for key, expected in pairs.items():
            actual = context.get(key.lower())
            wanted = [str(v) for v in _as_list(expected)]
            if op == "Null":
                ok = (actual is None) == (wanted[0].lower() == "true")
            elif actual is None:
                ok = if_exists or op.startswith("StringNot")
            elif op == "StringEquals":
                ok = actual in wanted
            elif op == "StringNotEquals":
                ok = actual not in wanted
            elif op == "StringEqualsIgnoreCase":
                ok = actual.lower() in [w.lower() for w in wanted]
            elif op == "StringLike":
                ok = any(_glob(w, actual) for w in wanted)
            elif op == "StringNotLike":
                ok = not any(_glob(w, actual) for w in wanted)
            else:
                ok = False
            if not ok:
                return False
    return True


def _principal_matches(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    entries = _as_list(principal.get("AWS", [])) if isinstance(principal, dict) else []
    partition = caller.session.partition if caller.session else "aws"
    accepted = {
        "*",
        caller.account_id,
        f"arn:{partition}:iam::{caller.account_id}:root",
        caller.arn,
    }
    if caller.session:
        accepted.add(caller.session.role_arn)
    return any(e in accepted for e in entries)


def _lookup_role(role_arn: str) -> Any | None:
    match = ROLE_ARN_RE.match(role_arn)
    if not match:
        return None
    partition, account, name = match.groups()
    try:
        role = iam_backends[account][partition].get_role(name)
    except Exception:  # moto's NotFoundException and friends
        return None
    return role if role.arn == role_arn else None


def _role_documents(role: Any) -> list[dict[str, Any]]:
    docs = [_document(d) for d in role.policies.values()]
    for policy in role.managed_policies.values():
        for version in policy.versions:
            if (
                getattr(version, "is_default", False)
                or version.version_id == policy.default_version_id
            ):
                docs.append(_document(version.document))
                break
    return docs


class Authority:
    """Per-simulator map of assumed-role keys, and the checks that use it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, AssumedSession] = {}
        self._plain_accounts: dict[str, str] = {}

    def reset(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._plain_accounts.clear()

    def expire_sessions(self) -> int:
        """Expire every assumed-role session issued so far (tests of re-assume)."""
        with self._lock:
            for session in self._sessions.values():
                session.expires_at = 0.0
            return len(self._sessions)

    # -- identity -------------------------------------------------------
    def caller(self, access_key: str, region: str) -> Caller:
        """Resolve an access key; raises CredentialError for unknown or expired session keys."""
        with self._lock:
            session = self._sessions.get(access_key)
        if session is None and access_key.startswith("ASIA"):
            session = self._from_moto(access_key)
        if session is not None:
            if session.expires_at <= time.time():
                raise CredentialError(expired=True)
            return Caller(access_key, session.account_id, session.arn, session)
        if access_key.startswith("ASIA"):
            raise CredentialError(expired=False)
        with self._lock:
            account = self._plain_accounts.get(access_key)
        if account is None:
            account = get_account_id_from(access_key)
            with self._lock:
                self._plain_accounts[access_key] = account
        partition = partition_of(region)
        user = "moto"
        try:
            key = iam_backends[account][partition].access_keys.get(access_key)
            user = getattr(key, "user_name", None) or user
        except Exception:
            pass
        return Caller(access_key, account, f"arn:{partition}:iam::{account}:user/{user}")

    def _from_moto(self, access_key: str) -> AssumedSession | None:
        for backends in list(sts_backends.values()):
            for backend in list(dict.values(backends)):
                role = backend.get_assumed_role_from_access_key(access_key)
                if role is not None:
                    # moto keeps the expiration as a naive UTC datetime
                    expires = role.expiration.replace(tzinfo=UTC).timestamp()
                    return AssumedSession(
                        access_key,
                        role.account_id,
                        role.partition,
                        role.role_arn,
                        role.role_arn.split("/")[-1],
                        role.session_name,
                        expires,
                    )
        return None

    # -- sts:AssumeRole -------------------------------------------------
    def assume_role_denied(
        self,
        caller: Caller,
        role_arn: str,
        external_id: str | None,
        session_name: str,
        duration: int,
    ) -> str | None:
        """None if ``caller`` may assume the role, else the AccessDenied message.

        Raises ValueError (-> ValidationError) if ``duration`` exceeds the
        role's MaxSessionDuration.
        """
        denied = (
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}"
        )
        role = _lookup_role(role_arn)
        if role is None:
            return denied
        context: dict[str, str | None] = {
            "sts:externalid": external_id,
            "sts:rolesessionname": session_name,
            "aws:principalaccount": caller.account_id,
            "aws:principalarn": caller.arn,
        }
        allowed = False
        for st in _statements(_document(role.assume_role_policy_document)):
            actions = _as_list(st.get("Action", []))
            if not any(_glob(a, "sts:AssumeRole", fold=True) for a in actions):
                continue
            if not _principal_matches(st.get("Principal", {}), caller):
                continue
            if "Condition" in st and not conditions_hold(st["Condition"], context):
                continue
            if st.get("Effect") == "Deny":
                return denied
            allowed = allowed or st.get("Effect") == "Allow"
        if not allowed:
            return denied
        if duration > int(role.max_session_duration or 3600):
            raise ValueError(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )
        return None

    def remember(
        self, access_key_id: str, role_arn: str, session_name: str, duration: int
    ) -> AssumedSession:
        """Record the keys returned by a successful AssumeRole."""
        match = ROLE_ARN_RE.match(role_arn)
        assert match is not None
        partition, account, name = match.groups()
        session = AssumedSession(
            access_key_id, account, partition, role_arn, name, session_name, time.time() + duration
        )
        with self._lock:
            self._sessions[access_key_id] = session
        return session

    # -- permissions ----------------------------------------------------
    def denied(self, caller: Caller, action: str, resource: str, region: str) -> str | None:
        """None if ``caller`` may perform ``action`` on ``resource``, else the AccessDenied message.

        Plain keys are always allowed. A session is allowed when an Allow
        statement of its role's (inline or attached) policies matches and no
        Deny does.
        """
        if caller.session is None:
            return None
        message = (
            f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource} "
            f"because no identity-based policy allows the {action} action"
        )
        role = _lookup_role(caller.session.role_arn)
        if role is None:
            return message
        context: dict[str, str | None] = {
            "aws:requestedregion": region,
            "aws:principalaccount": caller.account_id,
            "aws:principalarn": caller.arn,
        }
        allowed = False
        for doc in _role_documents(role):
            for st in _statements(doc):
                if "Action" in st:
                    hit = any(_glob(a, action, fold=True) for a in _as_list(st["Action"]))
                else:
                    hit = not any(
                        _glob(a, action, fold=True) for a in _as_list(st.get("NotAction", []))
                    )
                if "Resource" in st:
                    hit = hit and any(_glob(r, resource) for r in _as_list(st["Resource"]))
                else:
                    hit = hit and not any(
                        _glob(r, resource) for r in _as_list(st.get("NotResource", []))
                    )
                if hit and "Condition" in st:
                    hit = conditions_hold(st["Condition"], context)
                if hit and st.get("Effect") == "Deny":
                    return (
                        message.split(" because")[0]
                        + " with an explicit deny in an identity-based policy"
                    )
                allowed = allowed or (hit and st.get("Effect") == "Allow")
        return None if allowed else message


# -- setting up a customer account ------------------------------------------
def trust_policy(trusted_account: str, external_id: str, partition: str = "aws") -> dict[str, Any]:
    """The trust policy the customer attaches to the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{trusted_account}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def permission_policy(actions: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """A permissions policy allowing exactly ``actions`` on ``*``."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }


def create_customer_role(
    account_id: str,
    role_name: str,
    external_id: str,
    trusted_account: str,
    actions: tuple[str, ...] | list[str] = FIVE_ACTIONS,
    partition: str = "aws",
    max_session_duration: int = 3600,
) -> str:
    """Create (or update) the customer's role in moto's IAM; returns its ARN.

    The permissions are one inline policy named ``<role_name>-policy``
    (none when ``actions`` is empty).
    """
    iam = iam_backends[account_id][partition]
    trust = json.dumps(trust_policy(trusted_account, external_id, partition))
    try:
        role = iam.get_role(role_name)
        iam.update_assume_role_policy(role_name, trust)
        role.max_session_duration = str(max_session_duration)
    except Exception:
        role = iam.create_role(
            role_name=role_name,
            assume_role_policy_document=trust,
            path="/",
            permissions_boundary=None,
            description="Simulated customer role",
            tags=[],
            max_session_duration=str(max_session_duration),
        )
    if actions:
        iam.put_role_policy(
            role_name, f"{role_name}-policy", json.dumps(permission_policy(actions))
        )
    else:
        role.policies.pop(f"{role_name}-policy", None)
    return role.arn
