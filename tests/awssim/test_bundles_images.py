"""DescribeWorkspaceBundles and DescribeWorkspaceImages."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def fleet(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=500, bundles=60, images=8)
    return sim.fleet(kit.customer, kit.region)


def _own(fleet):
    return sorted(b for b, r in fleet.bundles.items() if r["Owner"] != "Amazon")


def _amazon(fleet):
    return sorted(b for b, r in fleet.bundles.items() if r["Owner"] == "Amazon")


def test_seeded_bundles_mix_aws_owned_and_account_owned(fleet, kit):
    assert len(_amazon(fleet)) == 20 and len(_own(fleet)) == 40
    assert {fleet.bundles[b]["Owner"] for b in _own(fleet)} == {kit.customer}


def test_no_argument_call_returns_only_the_accounts_own_bundles(fleet, sim, kit):
    ws = kit.customer_client()
    sim.reset_stats()
    got = [
        b for p in ws.get_paginator("describe_workspace_bundles").paginate() for b in p["Bundles"]
    ]
    assert sorted(b["BundleId"] for b in got) == _own(fleet)
    assert {b["Owner"] for b in got} == {kit.customer}
    assert sim.stats()["calls"]["DescribeWorkspaceBundles"] == 2  # 40 own bundles, 25 a page


def test_owner_amazon_returns_only_aws_owned_bundles(fleet, kit):
    got = kit.customer_client().describe_workspace_bundles(Owner="AMAZON")["Bundles"]
    assert sorted(b["BundleId"] for b in got) == _amazon(fleet)
    assert {b["Owner"] for b in got} == {"Amazon"}


def test_bundles_by_id_include_aws_owned_ones(fleet, kit):
    wanted = _amazon(fleet)[:3] + _own(fleet)[:3]
    got = kit.customer_client().describe_workspace_bundles(BundleIds=wanted)["Bundles"]
    assert sorted(b["BundleId"] for b in got) == sorted(wanted)
    assert {b["Owner"] for b in got} == {"Amazon", kit.customer}
    for b in got:
        assert b["ComputeType"]["Name"] and b["ImageId"].startswith("wsi-")
        assert b["RootStorage"]["Capacity"] and b["UserStorage"]["Capacity"]
        assert b["State"] == "AVAILABLE" and b["BundleType"] == "REGULAR"
        assert b["CreationTime"] <= b["LastUpdatedTime"]


def test_every_workspace_bundle_resolves_by_id_in_batches_of_25(fleet, kit):
    ws = kit.customer_client()
    needed = sorted({w["BundleId"] for w in fleet.workspaces.values()})
    found = []
    for i in range(0, len(needed), 25):
        found += [
            b["BundleId"]
            for b in ws.describe_workspace_bundles(BundleIds=needed[i : i + 25])["Bundles"]
        ]
    assert sorted(found) == needed


def test_26_bundle_ids_is_a_validation_exception(fleet, kit):
    ids = [f"wsb-{i:09d}" for i in range(26)]
    with pytest.raises(ClientError) as exc:
        kit.customer_client().describe_workspace_bundles(BundleIds=ids)
    assert exc.value.response["Error"]["Code"] == "ValidationException"


def test_images_by_id_return_name_os_and_owner(fleet, kit):
    own_bundle_images = sorted({fleet.bundles[b]["ImageId"] for b in _own(fleet)})
    got = kit.customer_client().describe_workspace_images(ImageIds=own_bundle_images)["Images"]
    assert sorted(i["ImageId"] for i in got) == own_bundle_images
    for image in got:
        assert image["Name"] and image["OperatingSystem"]["Type"] in ("WINDOWS", "LINUX")
        assert image["State"] == "AVAILABLE" and image["RequiredTenancy"] in (
            "DEFAULT",
            "DEDICATED",
        )
        assert len(image["OwnerAccountId"]) == 12 and image["Created"]


def test_images_of_aws_owned_bundles_are_not_visible(fleet, kit):
    amazon_images = [fleet.bundles[b]["ImageId"] for b in _amazon(fleet)[:5]]
    assert kit.customer_client().describe_workspace_images(ImageIds=amazon_images)["Images"] == []


def test_image_type_filter_and_max_results_paging(fleet, kit):
    ws = kit.customer_client()
    owned = ws.describe_workspace_images(ImageType="OWNED")["Images"]
    shared = ws.describe_workspace_images(ImageType="SHARED")["Images"]
    assert {i["OwnerAccountId"] for i in owned} == {kit.customer}
    assert shared and kit.customer not in {i["OwnerAccountId"] for i in shared}
    assert len(owned) + len(shared) == len(fleet.images)
    first = ws.describe_workspace_images(MaxResults=5)
    rest = ws.describe_workspace_images(MaxResults=5, NextToken=first["NextToken"])
    assert len(first["Images"]) == 5 and len(rest["Images"]) == len(fleet.images) - 5
    assert "NextToken" not in rest
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_images(MaxResults=26)
    assert exc.value.response["Error"]["Code"] == "ValidationException"
