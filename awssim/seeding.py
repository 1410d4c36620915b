"""Deterministic fleet generation for the simulator (its drift: mutation.py)."""

from __future__ import annotations

import math
import random
import string
from typing import Any

from .catalog import (
    COMPUTE_TYPES,
    COMPUTE_WEIGHTS,
    MODIFICATION_RESOURCES,
    MODIFICATION_STATES,
    RARE_STATES,
    STORAGE,
    TITLE,
    WORKSPACE_ERRORS,
)
from .store import Fleet, Record

BASE_TIME = 1736150400.0  # 2025-01-06T08:00:00Z; every seeded timestamp derives from it
SHARED_IMAGE_OWNER = "444455556666"
_ALNUM = string.ascii_lowercase + string.digits
_UPPER = string.ascii_uppercase + string.digits
_HEX = "0123456789abcdef"


# (label in names, OperatingSystem.Type, WorkspaceProperties.OperatingSystemName)
_OSES = (
    ("Windows 10 (Server 2022 based)", "WINDOWS", "WINDOWS_SERVER_2022"),
    ("Windows 11", "WINDOWS", "WINDOWS_11"),
    ("Windows 10", "WINDOWS", "WINDOWS_10"),
    ("Amazon Linux 2", "LINUX", "AMAZON_LINUX_2"),
    ("Ubuntu 22.04", "LINUX", "UBUNTU_22_04"),
)
_OS_WEIGHTS = (30, 40, 15, 8, 7)
_DEPTS = (
    "Finance",
    "Engineering",
    "Sales",
    "Support",
    "HR",
    "Legal",
    "Marketing",
    "Design",
    "Ops",
    "Research",
)
_FIRST = (
    "anna",
    "ben",
    "chloe",
    "david",
    "emma",
    "felix",
    "grace",
    "hugo",
    "ines",
    "jack",
    "karin",
    "liam",
    "maria",
    "noah",
    "olga",
    "paul",
    "quinn",
    "rosa",
    "sam",
    "tara",
    "umar",
    "vera",
    "will",
    "xena",
    "yusuf",
    "zoe",
    "alex",
    "bruno",
    "clara",
    "dmitri",
)
_LAST = (
    "smith",
    "muller",
    "martin",
    "rossi",
    "garcia",
    "novak",
    "kowalski",
    "silva",
    "jansen",
    "dubois",
    "nielsen",
    "horvat",
    "papadakis",
    "oconnor",
    "schmidt",
    "bernard",
    "ricci",
    "lopez",
    "visser",
    "berg",
)


def _rid(rng: random.Random, prefix: str, n: int, alphabet: str = _ALNUM) -> str:
    return prefix + "".join(rng.choices(alphabet, k=n))


class _Gen:
    """Generator bound to one fleet; keeps uniqueness state in ``fleet.meta``."""

    def __init__(self, fleet: Fleet, rng: random.Random) -> None:
        self.fleet = fleet
        self.rng = rng
        m = fleet.meta
        m.setdefault("ids", set())
        m.setdefault("computer_names", set())
        m.setdefault("user_counts", {})
        m.setdefault("directories", [])
        m.setdefault("subnets", {})  # subnet id -> [network index, next host number]
        m.setdefault("image_serial", 0)

    def unique(self, prefix: str, n: int, alphabet: str = _ALNUM) -> str:
        ids = self.fleet.meta["ids"]
        while True:
            value = _rid(self.rng, prefix, n, alphabet)
            if value not in ids:
                ids.add(value)
                return value

    # -- infrastructure ------------------------------------------------
    def directories(self, count: int) -> None:
        m = self.fleet.meta
        while len(m["directories"]) < count:
            directory = self.unique("d-", 10, _HEX)
            m["directories"].append(directory)
            for _ in range(2):
                m["subnets"][self.unique("subnet-", 17, _HEX)] = [len(m["subnets"]) + 16, 4]
            m.setdefault("dir_subnets", {})[directory] = list(m["subnets"])[-2:]

    def ip(self, subnet: str) -> str:
        slot = self.fleet.meta["subnets"][subnet]
        net, host = slot
        slot[1] += 1
        return f"10.{net}.{host // 256 % 256}.{host % 256}"

    def image(self, dept: str, created: float) -> Record:
        label, os_type, os_name = self.rng.choices(_OSES, _OS_WEIGHTS)[0]
        m = self.fleet.meta
        m["image_serial"] += 1
        shared = m["image_serial"] % 5 == 0
        image = {
            "ImageId": self.unique("wsi-", 9),
            "Name": f"{dept}-{label.split(' (')[0].replace(' ', '')}-{m['image_serial']:03d}",
            "Description": f"{label.split(' (')[0]} golden image for {dept}",
            "OperatingSystem": {"Type": os_type},
            "State": "AVAILABLE",
            "RequiredTenancy": "DEDICATED"
            if os_name in ("WINDOWS_10", "WINDOWS_11")
            else "DEFAULT",
            "Created": created,
            "OwnerAccountId": SHARED_IMAGE_OWNER if shared else self.fleet.account_id,
            "Updates": (
                {"UpdateAvailable": True, "Description": "Newer drivers and agent are available."}
                if m["image_serial"] % 4 == 1
                else {"UpdateAvailable": False}
            ),
            "_os_name": os_name,
        }
        self.fleet.images[image["ImageId"]] = image
        return image

    def bundle(self, amazon: bool, image: Record | None, created: float) -> Record:
        rng = self.rng
        compute = rng.choices(COMPUTE_TYPES, COMPUTE_WEIGHTS)[0]
        root, user = STORAGE[compute]
        if amazon:
            label, _, os_name = rng.choices(_OSES, _OS_WEIGHTS)[0]
            name = f"{TITLE[compute]} with {label}"
            image_id, owner = self.unique("wsi-", 9), "Amazon"
            description = (
                f"{TITLE[compute]} bundle with {label}, {root} GB root, {user} GB user storage"
            )
        else:
            assert image is not None
            dept = image["Name"].split("-")[0]
            name = f"{dept}-{TITLE[compute]}-{image['Name'].split('-')[1]}"
            image_id, owner, os_name = image["ImageId"], self.fleet.account_id, image["_os_name"]
            description = f"{dept} {TITLE[compute]} desktop"
        names = {b["Name"] for b in self.fleet.bundles.values()}
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        bundle = {
            "BundleId": self.unique("wsb-", 9),
            "Name": name,
            "Owner": owner,
            "Description": description,
            "ImageId": image_id,
            "RootStorage": {"Capacity": str(root)},
            "UserStorage": {"Capacity": str(user)},
            "ComputeType": {"Name": compute},
            "State": "AVAILABLE",
            "BundleType": "REGULAR",
            "CreationTime": created,
            "LastUpdatedTime": created + rng.randrange(0, 90 * 86400),
            "_os_name": os_name,
        }
        self.fleet.bundles[bundle["BundleId"]] = bundle
        return bundle

    # -- desktops ------------------------------------------------------
    def username(self, directory: str) -> str:
        counts = self.fleet.meta["user_counts"]
        base = f"{self.rng.choice(_FIRST)}.{self.rng.choice(_LAST)}"
        key = (directory, base)
        n = counts.get(key, 0)
        counts[key] = n + 1
        return base if n == 0 else f"{base}{n + 1}"

    def computer_name(self, linux: bool) -> str:
        names = self.fleet.meta["computer_names"]
        while True:
            name = _rid(self.rng, "A-" if linux else "WSAMZN-", 13 if linux else 8, _UPPER)
            if name not in names:
                names.add(name)
                return name

    def workspace(self, bundle: Record) -> Record:
        rng, m = self.rng, self.fleet.meta
        directory = rng.choice(m["directories"])
        subnet = rng.choice(m["dir_subnets"][directory])
        compute = bundle["ComputeType"]["Name"]
        if rng.random() < 0.05:  # resized after creation: drifts from its bundle
            compute = rng.choice([c for c in COMPUTE_TYPES if c != compute])
        root, user = STORAGE[compute]
        running_mode = "AUTO_STOP" if rng.random() < 0.7 else "ALWAYS_ON"
        roll = rng.random()
        if roll < 0.88:
            state = "AVAILABLE"
        elif roll < 0.95:
            state = "STOPPED" if running_mode == "AUTO_STOP" else "AVAILABLE"
        elif roll < 0.97:
            state = "ERROR"
        elif roll < 0.98:
            state = "UNHEALTHY"
        else:
            state = rng.choice(RARE_STATES)  # every other state of the model, now and then
        os_name = bundle["_os_name"]
        props: dict[str, Any] = {"RunningMode": running_mode}
        if running_mode == "AUTO_STOP":
            props["RunningModeAutoStopTimeoutInMinutes"] = 60
        props.update(
            RootVolumeSizeGib=root,
            UserVolumeSizeGib=user,
            ComputeTypeName=compute,
            Protocols=["WSP"] if rng.random() < 0.8 or os_name == "WINDOWS_11" else ["PCOIP"],
            OperatingSystemName=os_name,
        )
        encrypted = rng.random() < 0.2
        ws: Record = {
            "WorkspaceId": self.unique("ws-", 9),
            "DirectoryId": directory,
            "UserName": self.username(directory),
            "IpAddress": self.ip(subnet),
            "State": state,
            "BundleId": bundle["BundleId"],
            "SubnetId": subnet,
            "ComputerName": self.computer_name(os_name.startswith(("AMAZON", "UBUNTU"))),
            "UserVolumeEncryptionEnabled": encrypted,
            "RootVolumeEncryptionEnabled": encrypted,
            "WorkspaceProperties": props,
            "ModificationStates": [],
        }
        if encrypted:
            ws["VolumeEncryptionKey"] = f"alias/workspaces-{directory}"
        if rng.random() < 0.1:
            ws["WorkspaceName"] = f"{ws['UserName']}-desktop"
        if state in ("ERROR", "UNHEALTHY"):
            ws["ErrorCode"], ws["ErrorMessage"] = rng.choice(WORKSPACE_ERRORS)
        if state == "PENDING" or (state == "ERROR" and rng.random() < 0.5):
            # Still being created, or its creation failed: no computer name, no address yet.
            del ws["ComputerName"], ws["IpAddress"]
        elif state != "ERROR" and rng.random() < 0.01:
            ws["ModificationStates"] = [
                {
                    "Resource": rng.choice(MODIFICATION_RESOURCES),
                    "State": rng.choice(MODIFICATION_STATES),
                }
            ]
        if state == "AVAILABLE" and rng.random() < 0.01:
            ws["RelatedWorkspaces"] = [
                {
                    "WorkspaceId": self.unique("ws-", 9),
                    "Region": "eu-central-1"
                    if self.fleet.region != "eu-central-1"
                    else "eu-west-1",
                    "State": "STOPPED",
                    "Type": "STANDBY",
                }
            ]
        # The image it runs: its bundle's now. AWS never shows it; tests compare against it.
        self.fleet.meta.setdefault("running_image", {})[ws["WorkspaceId"]] = bundle["ImageId"]
        self.fleet.workspaces[ws["WorkspaceId"]] = ws
        return ws

    def pool(self, index: int, bundle: Record, sessions: int) -> Record:
        rng = self.rng
        m = self.fleet.meta
        if "pool_directory" not in m:
            m["pool_directory"] = self.unique("wsd-", 9)
        pool_id = self.unique("wspool-", 9)
        dept = _DEPTS[index % len(_DEPTS)]
        pool = {
            "PoolId": pool_id,
            "PoolArn": (
                f"arn:aws:workspaces:{self.fleet.region}:{self.fleet.account_id}"
                f":workspacespool/{pool_id}"
            ),
            "CapacityStatus": {},
            "PoolName": f"{dept}-Pool-{index + 1}",
            "Description": f"Pooled desktops for {dept}",
            "State": "RUNNING",
            "CreatedAt": BASE_TIME - rng.randrange(30, 400) * 86400,
            "BundleId": bundle["BundleId"],
            "DirectoryId": m["pool_directory"],
            "ApplicationSettings": {"Status": "DISABLED"},
            "TimeoutSettings": {
                "DisconnectTimeoutInSeconds": 900,
                "IdleDisconnectTimeoutInSeconds": 900,
                "MaxUserDurationInSeconds": 57600,
            },
            "RunningMode": rng.choice(("ALWAYS_ON", "AUTO_STOP")),
            "_desired": sessions + math.ceil(sessions * 0.1),
        }
        self.fleet.pools[pool_id] = pool
        self.fleet.sessions[pool_id] = {}
        for _ in range(sessions):
            self.session(pool_id)
        self.fleet.refresh_capacity(pool_id)
        return pool

    def session(self, pool_id: str) -> Record:
        rng = self.rng
        u = rng.getrandbits(128)
        h = f"{u:032x}"
        session_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
        start = BASE_TIME + rng.randrange(0, 8 * 3600)
        pool = self.fleet.pools[pool_id]
        subnet = self.fleet.meta.setdefault("pool_subnet", [200, 4])
        net, host = subnet
        subnet[1] += 1
        session = {
            "AuthenticationType": "SAML",
            "ConnectionState": "CONNECTED" if rng.random() < 0.8 else "NOT_CONNECTED",
            "SessionId": session_id,
            "InstanceId": self.unique("i-0", 16, _HEX),
            "PoolId": pool_id,
            "ExpirationTime": start + pool["TimeoutSettings"]["MaxUserDurationInSeconds"],
            "NetworkAccessConfiguration": {
                "EniPrivateIpAddress": f"10.{net}.{host // 256 % 256}.{host % 256}",
                "EniId": self.unique("eni-", 17, _HEX),
            },
            "StartTime": start,
            "UserId": f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}@example.com",
        }
        self.fleet.sessions[pool_id][session_id] = session
        return session


def build_fleet(
    account_id: str,
    region: str,
    *,
    workspaces: int = 100,
    bundles: int = 8,
    images: int = 4,
    pools: int = 0,
    sessions_per_pool: int = 0,
    rng_seed: int | str = 0,
) -> Fleet:
    """A new deterministic fleet: ``bundles`` mixes AWS-owned (about a third)
    and account-owned bundles; own bundles use the account's ``images``."""
    if min(workspaces, bundles, images, pools, sessions_per_pool) < 0:
        raise ValueError("counts must be >= 0")
    if workspaces and not bundles:
        raise ValueError("workspaces need at least one bundle")
    fleet = Fleet(account_id, region)
    fleet.meta["seed"] = str(rng_seed)
    gen = _Gen(fleet, random.Random(f"{rng_seed}|{account_id}|{region}"))
    amazon = bundles // 3
    own = bundles - amazon
    if own and not images:
        images = 1
    gen.directories(min(5, 1 + workspaces // 10000))
    made_images = [
        gen.image(_DEPTS[i % len(_DEPTS)], BASE_TIME - (400 - i) * 86400) for i in range(images)
    ]
    for i in range(own):
        gen.bundle(False, made_images[i % len(made_images)], BASE_TIME - (300 - i) * 86400)
    for i in range(amazon):
        gen.bundle(True, None, BASE_TIME - (500 - i) * 86400)
    add_workspaces(gen, workspaces)
    pool_bundles = _pool_bundles(gen) if pools else []
    for i in range(pools):
        gen.pool(i, fleet.bundles[gen.rng.choice(pool_bundles)], sessions_per_pool)
    fleet.touch()
    return fleet


def _pool_bundles(gen: _Gen) -> list[str]:
    """WorkSpaces Pools run Windows Server bundles only: the fleet's, or else
    one AWS-owned Windows Server bundle made for the pools."""
    fleet = gen.fleet
    ids = sorted(
        b for b, bundle in fleet.bundles.items() if bundle["_os_name"].startswith("WINDOWS_SERVER")
    )
    if ids:
        return ids
    bundle = gen.bundle(True, None, BASE_TIME - 500 * 86400)
    label, _, os_name = next(o for o in _OSES if o[2].startswith("WINDOWS_SERVER"))
    title = TITLE[bundle["ComputeType"]["Name"]]
    bundle.update(
        Name=f"{title} with {label} for pools",
        Description=f"{title} bundle with {label}, for WorkSpaces Pools",
        _os_name=os_name,
    )
    return [bundle["BundleId"]]


def add_workspaces(gen: _Gen, count: int) -> list[str]:
    fleet = gen.fleet
    if not count:
        return []
    ids = sorted(fleet.bundles)
    weights = [1 if fleet.bundles[b]["Owner"] == "Amazon" else 3 for b in ids]
    chosen = gen.rng.choices(ids, weights, k=count)
    return [gen.workspace(fleet.bundles[b])["WorkspaceId"] for b in chosen]
