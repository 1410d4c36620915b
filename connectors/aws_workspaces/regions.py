"""The regions where Amazon WorkSpaces is offered, read from botocore's own
endpoint data (so a botocore upgrade brings new regions), with readable names."""

from functools import lru_cache

from botocore.loaders import create_loader

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


@lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, str]]:
    """region -> (partition, description)."""
    endpoints = create_loader().load_data("endpoints")
    found: dict[str, tuple[str, str]] = {}
    for partition in endpoints["partitions"]:
        name = partition["partition"]
        if name not in PARTITIONS:
            continue
        described = partition.get("regions", {})
        service = partition.get("services", {}).get("workspaces", {})
        for region, meta in service.get("endpoints", {}).items():
            if region not in described or meta.get("deprecated"):
                continue  # fips-* and other variants are not regions
            found[region] = (name, described[region].get("description", region))
    return dict(sorted(found.items()))


def region_choices() -> list[tuple[str, str]]:
    return [(region, f"{desc} ({region})") for region, (_, desc) in _regions().items()]


def region_partition(region: str) -> str | None:
    entry = _regions().get(region)
    return entry[0] if entry else None


def region_label(region: str) -> str:
    entry = _regions().get(region)
    return f"{entry[1]} ({region})" if entry else region
