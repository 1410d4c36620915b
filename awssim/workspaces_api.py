"""The five read-only WorkSpaces operations, answered from the simulator's store.

Every request is first validated against botocore's model (ValidationException);
combinations AWS rejects and foreign NextTokens raise
InvalidParameterValuesException. Paging bisects a sorted id list, so a call
costs O(page), whatever the fleet size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .store import Fleet, Store, TokenError, page, public
from .validation import ApiError, validate

Params = dict[str, Any]
BUNDLE_PAGE_SIZE = 25  # DescribeWorkspaceBundles has no Limit; AWS pages by 25


def _invalid(message: str) -> ApiError:
    return ApiError("InvalidParameterValuesException", message)


def _page(
    ids: list[str],
    query: tuple[Any, ...],
    token: str | None,
    limit: int,
    keep: Callable[[str], bool] | None = None,
) -> tuple[list[str], str | None]:
    try:
        return page(ids, query, token, limit, keep)
    except TokenError:
        raise _invalid("The NextToken provided is not valid.") from None


def _with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        result["NextToken"] = token
    return result


def describe_workspaces(fleet: Fleet, p: Params) -> dict[str, Any]:
    """WorkspaceIds, or one of DirectoryId(+UserName) / BundleId / WorkspaceName; Limit 1..25."""
    ids, directory, user = p.get("WorkspaceIds"), p.get("DirectoryId"), p.get("UserName")
    bundle, name = p.get("BundleId"), p.get("WorkspaceName")
    if sum(x is not None for x in (ids, directory, bundle, name)) > 1:
        raise _invalid("Specify only one of WorkspaceIds, DirectoryId, BundleId or WorkspaceName.")
    if user is not None and directory is None:
        raise _invalid("The DirectoryId parameter is required when UserName is specified.")
    if ids is not None:
        found = [fleet.workspaces[i] for i in dict.fromkeys(ids) if i in fleet.workspaces]
        return {"Workspaces": found}
    if directory is not None and user is not None:
        key: tuple[Any, ...] = ("ws_dir_user", directory, user.lower())
    elif directory is not None:
        key = ("ws_dir", directory)
    elif bundle is not None:
        key = ("ws_bundle", bundle)
    elif name is not None:
        key = ("ws_name", name)
    else:
        key = ("ws",)
    chunk, token = _page(
        fleet.index(key), ("DescribeWorkspaces",) + key, p.get("NextToken"), p.get("Limit", 25)
    )
    return _with_token({"Workspaces": [fleet.workspaces[i] for i in chunk]}, token)


def describe_workspace_bundles(fleet: Fleet, p: Params) -> dict[str, Any]:
    """BundleIds (AWS-owned and own), or Owner=AMAZON (AWS-owned), else own bundles."""
    ids, owner = p.get("BundleIds"), p.get("Owner")
    if ids is not None and owner is not None:
        raise _invalid("The BundleIds and Owner parameters cannot be specified together.")
    if ids is not None:
        return {
            "Bundles": [public(fleet.bundles[i]) for i in dict.fromkeys(ids) if i in fleet.bundles]
        }
    amazon = owner == "AMAZON"
    key = ("bundles", amazon)
    chunk, token = _page(
        fleet.index(key), ("DescribeWorkspaceBundles",) + key, p.get("NextToken"), BUNDLE_PAGE_SIZE
    )
    return _with_token({"Bundles": [public(fleet.bundles[i]) for i in chunk]}, token)


def describe_workspace_images(fleet: Fleet, p: Params) -> dict[str, Any]:
    """ImageIds and/or ImageType (OWNED/SHARED); MaxResults 1..25."""
    ids, image_type = p.get("ImageIds"), p.get("ImageType")
    candidates = (
        sorted(i for i in set(ids) if i in fleet.images)
        if ids is not None
        else fleet.index(("images",))
    )

    def keep(image_id: str) -> bool:
        owned = fleet.images[image_id]["OwnerAccountId"] == fleet.account_id
        return image_type is None or (image_type == "OWNED") == owned

    query = ("DescribeWorkspaceImages", image_type, tuple(candidates) if ids is not None else None)
    chunk, token = _page(
        candidates, query, p.get("NextToken"), p.get("MaxResults", 25), keep if image_type else None
    )
    return _with_token({"Images": [public(fleet.images[i]) for i in chunk]}, token)


def _pool_filter(filters: list[dict[str, Any]]) -> Callable[[str], bool]:
    def match(name: str, f: dict[str, Any]) -> bool:
        values, op = f["Values"], f["Operator"]
        if op == "EQUALS":
            return name in values
        if op == "NOTEQUALS":
            return name not in values
        if op == "CONTAINS":
            return any(v in name for v in values)
        return not any(v in name for v in values)  # NOTCONTAINS

    def keep(pool_name: str) -> bool:
        return all(match(pool_name, f) for f in filters)

    return keep


def describe_workspaces_pools(fleet: Fleet, p: Params) -> dict[str, Any]:
    """PoolIds and/or Filters (PoolName EQUALS/NOTEQUALS/CONTAINS/NOTCONTAINS); Limit 1..25."""
    ids, filters = p.get("PoolIds"), p.get("Filters")
    candidates = (
        sorted(i for i in set(ids) if i in fleet.pools)
        if ids is not None
        else fleet.index(("pools",))
    )
    keep = None
    if filters:
        by_name = _pool_filter(filters)
        keep = lambda pool_id: by_name(fleet.pools[pool_id]["PoolName"])  # noqa: E731
    query = (
        "DescribeWorkspacesPools",
        repr(filters),
        tuple(candidates) if ids is not None else None,
    )
    chunk, token = _page(candidates, query, p.get("NextToken"), p.get("Limit", 25), keep)
    return _with_token({"WorkspacesPools": [public(fleet.pools[i]) for i in chunk]}, token)


def describe_workspaces_pool_sessions(fleet: Fleet, p: Params) -> dict[str, Any]:
    """Sessions of one pool (PoolId required), optional UserId; Limit 1..50."""
    pool_id, user = p["PoolId"], p.get("UserId")
    if pool_id not in fleet.pools:
        raise ApiError(
            "ResourceNotFoundException", f"The WorkSpaces pool {pool_id} could not be found."
        )
    sessions = fleet.sessions[pool_id]
    keep = (lambda sid: sessions[sid]["UserId"] == user) if user is not None else None
    chunk, token = _page(
        fleet.index(("sessions", pool_id)),
        ("DescribeWorkspacesPoolSessions", pool_id, user),
        p.get("NextToken"),
        p.get("Limit", 50),
        keep,
    )
    return _with_token({"Sessions": [sessions[i] for i in chunk]}, token)


OPERATIONS: dict[str, Callable[[Fleet, Params], dict[str, Any]]] = {
    "DescribeWorkspaces": describe_workspaces,
    "DescribeWorkspaceBundles": describe_workspace_bundles,
    "DescribeWorkspaceImages": describe_workspace_images,
    "DescribeWorkspacesPools": describe_workspaces_pools,
    "DescribeWorkspacesPoolSessions": describe_workspaces_pool_sessions,
}


def handle(
    store: Store,
    account_id: str,
    region: str,
    operation: str,
    params: Any,
    dumps: Callable[[Any], bytes],
) -> bytes:
    """Validate and answer one call; returns the serialised JSON body.

    Serialisation happens under the store lock so a concurrent mutation
    never tears a page. An account/region never seeded is an empty fleet.
    """
    validate(operation, params)
    with store.lock:
        fleet = store.fleet(account_id, region) or Fleet(account_id, region)
        return dumps(OPERATIONS[operation](fleet, params))
