"""Server-side input validation driven by botocore's ``workspaces`` model.

Constraint violations become ``ValidationException`` with AWS's wording
("1 validation error detected: Value '26' at 'limit' failed to satisfy
constraint: Member must have value less than or equal to 25"); wrong JSON
types become ``SerializationException``, as the JSON protocol does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape


class ApiError(Exception):
    """An AWS JSON-protocol error: ``{"__type": code, "message": message}``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@lru_cache(maxsize=4)
def _service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def operation_model(name: str, service: str = "workspaces") -> OperationModel:
    """The botocore operation model for an operation."""
    return _service_model(service).operation_model(name)


@lru_cache(maxsize=256)
def _pattern(regex: str) -> re.Pattern[str] | None:
    if "\\u" in regex:  # Java unicode classes (printable-character checks): not enforced
        return None
    return re.compile(regex, re.ASCII)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def validate(
    operation: str, params: Any, service: str = "workspaces", code: str = "ValidationException"
) -> None:
    """Raise ApiError(``code``) if ``params`` breaks the operation's input shape."""
    if not isinstance(params, dict):
        raise ApiError(
            "SerializationException", "Start of structure or map found where not expected."
        )
    shape = operation_model(operation, service).input_shape
    errors: list[str] = []
    if shape is not None:
        _check_structure(shape, params, "", errors)
    if errors:
        n = len(errors)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise ApiError(code, head + "; ".join(errors))


def _fail(errors: list[str], value: Any, path: str, constraint: str) -> None:
    shown = "null" if value is None else f"'{_show(value)}'"
    errors.append(
        f"Value {shown} at '{path}' failed to satisfy constraint: Member must {constraint}"
    )


def shape_errors(shape: Shape, value: Any) -> list[str]:
    """Every way ``value`` breaks ``shape`` (also unknown members); for checking responses."""
    errors: list[str] = []
    try:
        _check(shape, value, "", errors, strict=True)
    except ApiError as exc:
        errors.append(exc.message)
    return errors


def _check_structure(
    shape: Shape, value: dict[str, Any], prefix: str, errors: list[str], strict: bool = False
) -> None:
    if strict:
        errors.extend(f"Unknown member '{prefix}{k}'" for k in value if k not in shape.members)
    for name in shape.required_members:
        if value.get(name) is None:
            _fail(errors, None, prefix + _camel(name), "not be null")
    for name, member in shape.members.items():
        if name in value and value[name] is not None:
            _check(member, value[name], prefix + _camel(name), errors, strict)


def _serialization(expected: str, path: str) -> ApiError:
    return ApiError(
        "SerializationException", f"Unexpected value type at '{path}': expected {expected}"
    )


def _check(shape: Shape, value: Any, path: str, errors: list[str], strict: bool = False) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            raise _serialization("Structure", path)
        _check_structure(shape, value, path + "." if path else "", errors, strict)
    elif kind == "list":
        if not isinstance(value, list):
            raise _serialization("List", path)
        _length(value, meta, path, errors)
        for i, item in enumerate(value, start=1):
            if item is None:
                _fail(errors, None, f"{path}.{i}.member", "not be null")
            else:
                _check(shape.member, item, f"{path}.{i}.member", errors, strict)
    elif kind == "string":
        if not isinstance(value, str):
            raise _serialization("String", path)
        _length(value, meta, path, errors)
        regex = _pattern(meta["pattern"]) if "pattern" in meta else None
        if regex is not None and not regex.fullmatch(value):
            _fail(errors, value, path, f"satisfy regular expression pattern: {meta['pattern']}")
        if shape.enum and value not in shape.enum:
            _fail(errors, value, path, f"satisfy enum value set: [{', '.join(shape.enum)}]")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _serialization("Integer", path)
        if "min" in meta and value < meta["min"]:
            _fail(errors, value, path, f"have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            _fail(errors, value, path, f"have value less than or equal to {meta['max']}")
    elif kind == "boolean" and not isinstance(value, bool):
        raise _serialization("Boolean", path)
    elif (
        kind == "timestamp"
        and strict
        and (isinstance(value, bool) or not isinstance(value, (int, float)))
    ):
        raise _serialization("Timestamp (epoch seconds)", path)


def _length(value: Any, meta: dict[str, Any], path: str, errors: list[str]) -> None:
    if "min" in meta and len(value) < meta["min"]:
        _fail(errors, value, path, f"have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        _fail(errors, value, path, f"have length less than or equal to {meta['max']}")
