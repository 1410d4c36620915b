"""The WSGI app: our five WorkSpaces operations and STS checks in front of moto's server app.

Routing, in order:

* ``/_sim/...``: control endpoints (JSON), see ``control.py``.
* ``X-Amz-Target: WorkspacesService.<Op>``: counted, delayed, authorised
  against the caller's role, fault-injected, throttled, then answered from
  our store (the five Describe operations) or passed to moto (the others).
* SigV4 scope ``sts``: counted and delayed; ``AssumeRole`` is checked
  (role exists, trust principal, ExternalId, input constraints) before
  moto issues the credentials.
* anything else: counted, delayed, passed to moto.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from . import workspaces_api
from .auth import Authority, Caller, CredentialError, credential_scope, partition_of
from .faults import Faults, InjectedError
from .store import Store
from .validation import ApiError, validate

StartResponse = Callable[..., Any]
JSON_TYPE = "application/x-amz-json-1.1"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
_ASSUME_ROLE_SCALARS = (
    "RoleArn",
    "RoleSessionName",
    "ExternalId",
    "DurationSeconds",
    "Policy",
    "SerialNumber",
    "TokenCode",
    "SourceIdentity",
)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def respond(
    start_response: StartResponse,
    status: int,
    body: bytes,
    content_type: str,
    request_id: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    """Send a complete response (with Content-Length, so connections stay alive)."""
    out = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if request_id:
        out.append(("x-amzn-RequestId", request_id))
    out.extend(headers)
    start_response(f"{status} {HTTPStatus(status).phrase}", out)
    return [body]


def json_error(
    start_response: StartResponse, error: ApiError | InjectedError, request_id: str
) -> list[bytes]:
    """A JSON-protocol error as AWS sends it."""
    body = _dumps({"__type": error.code, "message": error.message})
    return respond(start_response, error.status, body, JSON_TYPE, request_id)


def sts_error(
    start_response: StartResponse, code: str, message: str, status: int, request_id: str
) -> list[bytes]:
    """A query-protocol (STS) error document as AWS sends it."""
    kind = "Receiver" if status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Type>{kind}</Type>\n'
        f"    <Code>{escape(code)}</Code>\n    <Message>{escape(message)}</Message>\n  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n"
    ).encode()
    return respond(start_response, status, body, "text/xml", request_id)


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)  # whoever reads next (moto) sees it again
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _form(body: bytes) -> dict[str, str]:
    return {
        k: v[0]
        for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()
    }


class SimulatorApp:
    """WSGI callable; ``control`` serves ``/_sim/`` (see control.py)."""

    def __init__(
        self,
        store: Store,
        faults: Faults,
        authority: Authority,
        control: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
    ) -> None:
        self.store = store
        self.faults = faults
        self.auth = authority
        self.control = control
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path.startswith("/_sim/"):
            return self.control(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        if target.startswith("WorkspacesService."):
            return self._workspaces(environ, start_response, target.split(".", 1)[1])
        if path.startswith("/moto-api"):
            return self.moto(environ, start_response)
        scope = credential_scope(environ.get("HTTP_AUTHORIZATION"))
        if scope and scope[2] == "sts":
            return self._sts(environ, start_response, scope)
        return self._passthrough(environ, start_response, target)

    # -- WorkSpaces (JSON protocol) ---------------------------------------
    def _workspaces(
        self, environ: dict[str, Any], start_response: StartResponse, op: str
    ) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        self.faults.on_call(op)
        body = _read_body(environ)
        try:
            scope = credential_scope(environ.get("HTTP_AUTHORIZATION"))
            if scope is None:
                raise ApiError(
                    "MissingAuthenticationTokenException", "Missing Authentication Token"
                )
            access_key, region, _ = scope
            try:
                caller = self.auth.caller(access_key, region)
            except CredentialError as exc:
                if exc.expired:
                    raise ApiError(
                        "ExpiredTokenException",
                        "The security token included in the request is expired",
                    ) from None
                raise ApiError(
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.",
                ) from None
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                raise ApiError(
                    "SerializationException", "Request body is not valid JSON."
                ) from None
            denied = self.auth.denied(
                caller, f"workspaces:{op}", self._resource(caller, region, params), region
            )
            if denied:
                self.faults.count_denied(op)
                raise ApiError("AccessDeniedException", denied)
            injected = self.faults.take_error(op)
            if injected:
                return json_error(start_response, injected, request_id)
            if self.faults.should_throttle(op):
                raise ApiError("ThrottlingException", "Rate exceeded")
            if op not in workspaces_api.OPERATIONS:
                return self.moto(environ, start_response)
            payload = workspaces_api.handle(
                self.store, caller.account_id, region, op, params, _dumps
            )
        except ApiError as error:
            return json_error(start_response, error, request_id)
        return respond(start_response, 200, payload, JSON_TYPE, request_id)

    @staticmethod
    def _resource(caller: Caller, region: str, params: Any) -> str:
        base = f"arn:{partition_of(region)}:workspaces:{region}:{caller.account_id}"
        rid = params.get("ResourceId") if isinstance(params, dict) else None
        if isinstance(rid, str) and rid.startswith("ws-"):
            return f"{base}:workspace/{rid}"
        if isinstance(rid, str) and rid.startswith(("d-", "wsd-")):
            return f"{base}:directoryid/{rid}"
        return f"{base}:workspace/*"

    # -- STS (query protocol) ---------------------------------------------
    def _sts(
        self, environ: dict[str, Any], start_response: StartResponse, scope: tuple[str, str, str]
    ) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        form = _form(_read_body(environ))
        action = form.get("Action", "")
        self.faults.on_call(action)
        injected = self.faults.take_error(action)
        if injected:
            return sts_error(
                start_response, injected.code, injected.message, injected.status, request_id
            )
        if action != "AssumeRole":
            return self.moto(environ, start_response)
        access_key, region, _ = scope
        try:
            caller = self.auth.caller(access_key, region)
        except CredentialError as exc:
            if exc.expired:
                return sts_error(
                    start_response,
                    "ExpiredToken",
                    "The security token included in the request is expired",
                    400,
                    request_id,
                )
            return sts_error(
                start_response,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
                403,
                request_id,
            )
        params: dict[str, Any] = {k: form[k] for k in _ASSUME_ROLE_SCALARS if k in form}
        try:
            if "DurationSeconds" in params:
                params["DurationSeconds"] = int(params["DurationSeconds"])
            validate("AssumeRole", params, service="sts", code="ValidationError")
            duration = params.get("DurationSeconds", 3600)
            denied = self.auth.assume_role_denied(
                caller,
                params["RoleArn"],
                params.get("ExternalId"),
                params["RoleSessionName"],
                duration,
            )
        except ApiError as error:
            return sts_error(start_response, error.code, error.message, 400, request_id)
        except ValueError as error:
            return sts_error(start_response, "ValidationError", str(error), 400, request_id)
        if denied:
            self.faults.count_denied(action)
            return sts_error(start_response, "AccessDenied", denied, 403, request_id)
        status, headers, body = self._call_moto(environ)
        if status.startswith("200"):
            key = (
                body.split(b"<AccessKeyId>", 1)[-1].split(b"</AccessKeyId>", 1)[0].decode().strip()
            )
            self.auth.remember(key, params["RoleArn"], params["RoleSessionName"], duration)
        start_response(status, headers)
        return [body]

    def _call_moto(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.moto(environ, start)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        body = b"".join(chunks)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        return captured["status"], headers, body

    # -- everything else --------------------------------------------------
    def _passthrough(
        self, environ: dict[str, Any], start_response: StartResponse, target: str
    ) -> Iterable[bytes]:
        action = target.split(".", 1)[-1] if target else ""
        if not action and (environ.get("CONTENT_TYPE") or "").startswith(
            "application/x-www-form-urlencoded"
        ):
            action = _form(_read_body(environ)).get("Action", "")
        if not action:
            first = (environ.get("PATH_INFO") or "/").split("/")[1]
            action = f"{environ.get('REQUEST_METHOD', 'GET')} /{first}"
        self.faults.on_call(action)
        return self.moto(environ, start_response)
