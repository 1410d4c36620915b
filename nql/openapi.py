"""The OpenAPI 3.0 description of the NQL API, served by the console."""

from __future__ import annotations

from .tables import tables


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document(*, base_url: str = "") -> dict:
    scopes = {t.scope: f"Query the {t.name} table" for t in tables().values()}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "WorkSpaces Connector NQL API",
            "version": "1.0.0",
            "description": (
                "Runs saved NQL API queries (Administration > NQL API queries) for machine "
                "clients (Administration > API credentials), in the platform's shapes."
            ),
        },
        "servers": [{"url": base_url or "/"}],
        "paths": {
            "/api/v1/token": {
                "post": {
                    "summary": "Get an access token (OAuth2 client credentials)",
                    "operationId": "getToken",
                    "security": [{"basicAuth": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["grant_type"],
                                    "properties": {
                                        "grant_type": {
                                            "type": "string",
                                            "enum": ["client_credentials"],
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "A Bearer token",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Token"}
                                }
                            },
                        },
                        "400": _error("Not the client credentials grant"),
                        "401": _error("Unknown client or wrong secret"),
                    },
                }
            },
            "/api/v1/nql/execute": {
                "post": {
                    "summary": "Run a saved NQL API query",
                    "operationId": "executeNql",
                    "security": [{"bearerAuth": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ExecuteRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The query's result",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ExecuteResponse"}
                                }
                            },
                        },
                        "400": _error(
                            "A bad query, body or parameter, or a query that ran too long"
                        ),
                        "401": _error("No token, or an expired or revoked one"),
                        "403": _error("The client may not query this table (or CSRF missing)"),
                        "404": _error("No NQL API query has this queryId"),
                        "429": _error("Too many requests; see Retry-After"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This description (signed-in console users)",
                    "operationId": "getOpenApi",
                    "responses": {"200": {"description": "OpenAPI 3.0 document"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "clientCredentials": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/api/v1/token", "scopes": scopes}},
                },
            },
            "schemas": {
                "Token": {
                    "type": "object",
                    "required": ["access_token", "token_type", "expires_in"],
                    "properties": {
                        "access_token": {"type": "string"},
                        "token_type": {"type": "string", "enum": ["Bearer"]},
                        "expires_in": {"type": "integer"},
                    },
                },
                "ExecuteRequest": {
                    "type": "object",
                    "required": ["queryId"],
                    "properties": {
                        "queryId": {"type": "string", "pattern": "^#[a-z0-9_]+$"},
                        "parameters": {
                            "type": "object",
                            "additionalProperties": {
                                "oneOf": [{"type": "string"}, {"type": "number"}]
                            },
                            "description": "A value for each $name: values, never syntax.",
                        },
                    },
                },
                "ExecuteResponse": {
                    "type": "object",
                    "required": [
                        "queryId",
                        "executedQuery",
                        "rows",
                        "executionDateTime",
                        "headers",
                        "data",
                    ],
                    "properties": {
                        "queryId": {"type": "string"},
                        "executedQuery": {"type": "string"},
                        "rows": {"type": "integer"},
                        "executionDateTime": {
                            "type": "object",
                            "required": ["year", "month", "day", "hour", "minute", "second"],
                            "properties": {
                                k: {"type": "integer"}
                                for k in ("year", "month", "day", "hour", "minute", "second")
                            },
                        },
                        "headers": {"type": "array", "items": {"type": "string"}},
                        "data": {
                            "type": "array",
                            "items": {"type": "array", "items": {"nullable": True}},
                        },
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["message", "code", "source"],
                    "properties": {
                        "message": {"type": "string"},
                        "code": {"type": "integer", "description": "The HTTP status"},
                        "source": {
                            "type": "string",
                            "description": "What was wrong: query, parameters, queryId, "
                            "request, authorization, permissions, csrf, rate_limit or token",
                        },
                    },
                },
            },
        },
    }
