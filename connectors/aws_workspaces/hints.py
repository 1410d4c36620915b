"""What to check after a failed AWS call: one hint per cause, the same in
runs, the connector form's Run test and the credential's Verify.

A hint must send the administrator to the right place: AWS unreachable (a
network, proxy, TLS or endpoint failure) is not a trust-policy problem, and
the role was not even asked then.
"""

from __future__ import annotations

from typing import Protocol

from . import aws


class ErrorLike(Protocol):
    action: str
    code: str


ASSUME_ROLE_HINT = (
    "Check the role's trust policy: its Principal must be this console's AWS account, its"
    " sts:ExternalId condition must equal the credential's External ID, and the Role ARN"
    " (name starting with the required prefix) must be exact. AWS answers the same way when"
    " no role has this ARN, so check it exists in that account too."
)
DESCRIBE_HINT = (
    "Check the role's permissions policy: it must allow the five workspaces:Describe* actions."
)
THROTTLE_HINT = "AWS rate limits were hit: run the test again, or test one region at a time."
NETWORK_HINT = (
    "This server could not reach AWS (no connection to the endpoint): check its outbound"
    " network access (firewall, DNS) and any AWS endpoint setting (AWS_ENDPOINT_URL)."
    " The role was not checked."
)
TIMEOUT_HINT = (
    "AWS did not answer in time: check this server's outbound network access to AWS,"
    " then run it again. The role was not checked."
)
PROXY_HINT = (
    "The proxy between this server and AWS failed the connection: check the proxy settings"
    " (HTTPS_PROXY, NO_PROXY) and that the proxy allows AWS's endpoints. The role was not checked."
)
TLS_HINT = (
    "The secure (TLS) connection to AWS failed: a proxy that intercepts TLS or a missing"
    " certificate authority (AWS_CA_BUNDLE) on this server is the usual cause."
    " The role was not checked."
)
OWN_IDENTITY_HINT = (
    "This console has no AWS identity of its own to ask AWS with: configure its AWS"
    " credentials (environment, profile or instance role). The customer's role was not checked."
)
REGION_HINT = (
    "The region may not be enabled for this AWS account, or WorkSpaces may not be offered there;"
    " otherwise this console's own AWS credentials are invalid or expired."
)
VALIDATION_HINT = (
    "AWS refused the request's values: check the Role ARN's format on the credential's page."
)

NETWORK_CODES = {
    "EndpointConnectionError": NETWORK_HINT,
    "ConnectionError": NETWORK_HINT,
    "ConnectionClosedError": NETWORK_HINT,
    "HTTPClientError": NETWORK_HINT,
    "ConnectTimeoutError": TIMEOUT_HINT,
    "ReadTimeoutError": TIMEOUT_HINT,
    "Timeout": TIMEOUT_HINT,
    "ProxyConnectionError": PROXY_HINT,
    "SSLError": TLS_HINT,
}
OWN_IDENTITY_CODES = frozenset({"NoCredentialsError", "PartialCredentialsError"})
REGION_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "OptInRequired",
        "InvalidRegion",
        "RegionDisabledException",
    }
)


def is_network(code: str) -> bool:
    """AWS was not reached (or did not answer): the call says nothing of the role."""
    return code in NETWORK_CODES


def is_denied(code: str) -> bool:
    return "AccessDenied" in code or code == "UnauthorizedOperation"


def hint_for(error: ErrorLike) -> str:
    """The hint that fits `error`'s cause ("" when there is nothing useful to say)."""
    code, action = error.code, error.action
    if code in aws.THROTTLE_CODES:
        return THROTTLE_HINT
    if code in NETWORK_CODES:
        return NETWORK_CODES[code]
    if code in OWN_IDENTITY_CODES:
        return OWN_IDENTITY_HINT
    if action == "AssumeRole" and is_denied(code):
        return ASSUME_ROLE_HINT
    if is_denied(code):
        if action.startswith("Describe"):
            return (
                f"Check the role's permissions policy: it does not allow workspaces:{action}."
                " It must allow the five workspaces:Describe* actions."
            )
        return DESCRIBE_HINT
    if code in REGION_CODES:
        return REGION_HINT
    if action == "AssumeRole" and code == "ValidationError":
        return VALIDATION_HINT
    return ""
