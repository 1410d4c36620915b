"""The NQL API, in the platform's own shapes:

- POST /api/v1/token: HTTP Basic client_id:client_secret, grant_type=client_credentials
  -> {"access_token", "token_type": "Bearer", "expires_in"} (django-oauth-toolkit).
- POST /api/v1/nql/execute: Bearer token (or a signed-in session WITH its CSRF token),
  {"queryId": "#id", "parameters": {...}} -> {"queryId", "executedQuery", "rows",
  "executionDateTime", "headers", "data"}; errors {"message", "code", "source"}.
- GET /api/v1/openapi.json: this description (nql/openapi.py).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views.mixins import OAuthLibMixin

from nexthink_admin.ratelimit import rate_limit_retry_after

from . import ast as a
from . import selectors
from .openapi import openapi_document

MAX_BODY_BYTES = 64 * 1024
MAX_PARAMETERS = 50


def api_error(status: int, message: str, source: str, **headers) -> JsonResponse:
    response = JsonResponse({"message": message, "code": status, "source": source}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class TokenView(OAuthLibMixin, View):
    """OAuth2 client credentials: django-oauth-toolkit checks the client and its
    hashed secret and issues the token; this view gives the answer its shape."""

    def post(self, request: HttpRequest) -> JsonResponse:
        _, _, body, status = self.create_token_response(request)
        data = json.loads(body or "{}")
        if status == 200:
            return JsonResponse(
                {
                    "access_token": data["access_token"],
                    "token_type": "Bearer",
                    "expires_in": data["expires_in"],
                },
                headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
            )
        error = data.get("error", "invalid_request")
        messages = {
            "invalid_client": "Unknown client or wrong secret (HTTP Basic id:secret).",
            "unsupported_grant_type": "Only grant_type=client_credentials is supported.",
            "unauthorized_client": "This client may not use the client credentials grant.",
            "invalid_scope": "The client is not permitted the requested scope.",
        }
        response = api_error(
            401 if error == "invalid_client" else 400,
            messages.get(error, data.get("error_description") or error),
            "token",
        )
        if error == "invalid_client":
            response["WWW-Authenticate"] = 'Basic realm="api"'
        return response


def _csrf_failure(request: HttpRequest) -> bool:
    check = CsrfViewMiddleware(lambda r: None)
    return check.process_view(request, None, (), {}) is not None


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")  # session callers are checked below, always
class ExecuteView(View):
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest) -> JsonResponse:
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
            token = getattr(oauth_request, "access_token", None)
            client = (
                selectors.api_client_for_application(application_id=token.application_id)
                if valid and token is not None and token.application_id
                else None
            )
            if client is None:
                return api_error(
                    401,
                    "The access token is missing, expired or revoked.",
                    "authorization",
                    WWW_Authenticate='Bearer error="invalid_token"',
                )
            can_query = selectors.scopes_can_query(token.scope.split())
            caller = f"client:{client.pk}"
        elif auth:
            return api_error(401, "Use a Bearer token.", "authorization", WWW_Authenticate="Bearer")
        elif request.user.is_authenticated:
            if _csrf_failure(request):
                return api_error(403, "A signed-in session must send its CSRF token.", "csrf")
            can_query = selectors.user_can_query(request.user)
            caller = f"user:{request.user.pk}"
        else:
            return api_error(
                401, "Authenticate with a Bearer token.", "authorization", WWW_Authenticate="Bearer"
            )

        wait = rate_limit_retry_after(
            key=f"nql-api:{caller}", limit=settings.NQL_API_RATE_LIMIT_PER_MINUTE, window_seconds=60
        )
        if wait is not None:
            return api_error(
                429, f"Too many requests: retry in {wait} s.", "rate_limit", Retry_After=str(wait)
            )

        body, problem = _body(request)
        if problem:
            return api_error(400, problem, "request")
        api_query = selectors.nql_api_query_by_query_id(query_id=body["queryId"])
        if api_query is None:
            return api_error(404, f"No NQL API query has the ID {body['queryId']}.", "queryId")
        parameters = body.get("parameters") or {}
        try:
            expected = selectors.nql_parameters(text=api_query.query)
            unknown = sorted(set(parameters) - set(expected))
            if unknown:
                return api_error(
                    400,
                    f"Unknown parameters: {', '.join(unknown)}; this query takes "
                    f"{', '.join(expected) or 'none'}.",
                    "parameters",
                )
            result = selectors.nql_run(text=api_query.query, params=parameters, can_query=can_query)
        except a.NqlPermissionDenied as error:
            return api_error(403, error.message[0].upper() + error.message[1:] + ".", "permissions")
        except a.NqlError as error:
            source = "parameters" if "parameter" in error.message else "query"
            return api_error(400, str(error), source)
        at = result.executed_at
        return JsonResponse(
            {
                "queryId": api_query.query_id,
                "executedQuery": selectors.nql_executed_text(
                    text=api_query.query, params=parameters
                ),
                "rows": len(result.rows),
                "executionDateTime": {
                    "year": at.year,
                    "month": at.month,
                    "day": at.day,
                    "hour": at.hour,
                    "minute": at.minute,
                    "second": at.second,
                },
                "headers": result.headers,
                "data": result.rows,
            }
        )


def _body(request: HttpRequest) -> tuple[dict, str]:
    if len(request.body) > MAX_BODY_BYTES:
        return {}, f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return {}, "The request body is not JSON."
    if not isinstance(body, dict):
        return {}, 'The request body must be a JSON object: {"queryId": "#...", "parameters": {}}.'
    query_id = body.get("queryId")
    if not isinstance(query_id, str) or not query_id:
        return {}, 'queryId is required: a string such as "#aws_inventory_by_region".'
    parameters = body.get("parameters", {})
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict) or len(parameters) > MAX_PARAMETERS:
        return {}, f"parameters must be an object of at most {MAX_PARAMETERS} names and values."
    return body, ""


class OpenApiView(View):
    """The OpenAPI description of the API (any signed-in user)."""

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(openapi_document(base_url=request.build_absolute_uri("/")[:-1]))
