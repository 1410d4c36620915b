"""Drift for the simulator: `mutate_fleet` changes a seeded fleet the way
administrators and AWS do between two runs (resizes, new bundles and images,
rebuilds, WorkSpaces settling, added and removed ones), deterministically."""

from __future__ import annotations

import random
from typing import Any

from .catalog import COMPUTE_TYPES, STORAGE, TRANSITIONAL_STATES
from .seeding import BASE_TIME, _Gen, add_workspaces
from .store import Fleet, Record


def _settle(gen: _Gen, ws: Record) -> None:
    """A transitional WorkSpace reaches AVAILABLE; a new one gets its name and address."""
    ws["State"] = "AVAILABLE"
    if "ComputerName" not in ws:
        linux = (
            ws["WorkspaceProperties"]
            .get("OperatingSystemName", "")
            .startswith(("AMAZON", "UBUNTU"))
        )
        ws["ComputerName"] = gen.computer_name(linux)
        ws["IpAddress"] = gen.ip(ws["SubnetId"])


def mutate_fleet(
    fleet: Fleet,
    *,
    resize: int = 0,
    rebundle: int = 0,
    reimage: int = 0,
    remove: int = 0,
    add: int = 0,
    sessions_churn: int = 0,
    rebuild: int = 0,
    settle: bool = False,
    drop_bundles: int = 0,
    rng_seed: int | str | None = None,
) -> dict[str, Any]:
    """Drift for demos: change compute types, bundles, images; remove and add
    WorkSpaces; end and start pool sessions. Returns the affected ids.

    As in AWS, ``reimage`` (a bundle image update) changes no existing
    WorkSpace: each keeps running its image until ``rebuild`` (State
    REBUILDING, now on its bundle's current image) or ``rebundle`` moves it.
    ``settle`` ends transitional states (REBUILDING, PENDING...: AVAILABLE);
    ``drop_bundles`` deletes own bundles that WorkSpaces still use (AWS no
    longer returns them). The last three are in the result only when asked."""
    seed = rng_seed if rng_seed is not None else f"{fleet.meta.get('seed')}|v{fleet.version}"
    gen = _Gen(fleet, random.Random(f"mutate|{seed}"))
    rng = gen.rng
    out: dict[str, Any] = {}

    def pick(n: int, pool: list[str]) -> list[str]:
        return rng.sample(pool, min(n, len(pool)))

    ws_ids = sorted(fleet.workspaces)
    out["resized"] = pick(resize, ws_ids)
    for ws_id in out["resized"]:
        props = fleet.workspaces[ws_id]["WorkspaceProperties"]
        props["ComputeTypeName"] = rng.choice(
            [c for c in COMPUTE_TYPES if c != props["ComputeTypeName"]]
        )
        props["RootVolumeSizeGib"], props["UserVolumeSizeGib"] = STORAGE[props["ComputeTypeName"]]
    bundle_ids = sorted(fleet.bundles)
    out["rebundled"] = pick(rebundle, ws_ids) if len(bundle_ids) > 1 else []
    running_image = fleet.meta.setdefault("running_image", {})
    for ws_id in out["rebundled"]:
        ws = fleet.workspaces[ws_id]
        bundle = fleet.bundles[rng.choice([b for b in bundle_ids if b != ws["BundleId"]])]
        ws["BundleId"] = bundle["BundleId"]
        running_image[ws_id] = bundle["ImageId"]
        ws["WorkspaceProperties"]["ComputeTypeName"] = bundle["ComputeType"]["Name"]
        ws["WorkspaceProperties"]["OperatingSystemName"] = bundle["_os_name"]
    own = [b for b in bundle_ids if fleet.bundles[b]["Owner"] != "Amazon"]
    out["reimaged_bundles"] = pick(reimage, own)
    for bundle_id in out["reimaged_bundles"]:
        bundle = fleet.bundles[bundle_id]
        old = fleet.images.get(bundle["ImageId"])
        dept = old["Name"].split("-")[0] if old else "Ops"
        image = gen.image(dept, BASE_TIME + fleet.version * 86400)
        bundle["ImageId"] = image["ImageId"]
        bundle["_os_name"] = image["_os_name"]
        bundle["LastUpdatedTime"] = image["Created"]
    if settle:
        out["settled"] = sorted(
            w for w, r in fleet.workspaces.items() if r["State"] in TRANSITIONAL_STATES
        )
        for ws_id in out["settled"]:
            _settle(gen, fleet.workspaces[ws_id])
    if rebuild:
        out["rebuilt"] = pick(
            rebuild, [w for w in ws_ids if fleet.workspaces[w]["BundleId"] in fleet.bundles]
        )
        for ws_id in out["rebuilt"]:
            ws = fleet.workspaces[ws_id]
            ws["State"] = "REBUILDING"
            ws.pop("ErrorCode", None), ws.pop("ErrorMessage", None)
            running_image[ws_id] = fleet.bundles[ws["BundleId"]]["ImageId"]
    if drop_bundles:
        used = {fleet.workspaces[w]["BundleId"] for w in ws_ids}
        own_used = [
            b for b in sorted(used) if b in fleet.bundles and fleet.bundles[b]["Owner"] != "Amazon"
        ]
        out["dropped_bundles"] = pick(drop_bundles, own_used)
        for bundle_id in out["dropped_bundles"]:
            del fleet.bundles[bundle_id]
    out["removed"] = pick(remove, ws_ids)
    for ws_id in out["removed"]:
        del fleet.workspaces[ws_id]
    if add and not fleet.meta["directories"]:
        gen.directories(1)
    out["added"] = add_workspaces(gen, add) if fleet.bundles else []
    out["sessions_ended"], out["sessions_started"] = [], []
    pool_ids = sorted(fleet.pools)
    for _ in range(sessions_churn if pool_ids else 0):
        pool_id = rng.choice(pool_ids)
        if fleet.sessions[pool_id]:
            victim = rng.choice(sorted(fleet.sessions[pool_id]))
            del fleet.sessions[pool_id][victim]
            out["sessions_ended"].append(victim)
        out["sessions_started"].append(gen.session(rng.choice(pool_ids))["SessionId"])
    for pool_id in pool_ids:
        fleet.refresh_capacity(pool_id)
    fleet.touch()
    out["counts"] = {k: len(v) for k, v in out.items() if isinstance(v, list)}
    return out
