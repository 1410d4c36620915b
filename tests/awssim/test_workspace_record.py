"""WorkSpaces as AWS describes them: every state and compute type of botocore's
model, PENDING and failed ones without a name or address, errors and
modifications, and a bundle image update that leaves existing WorkSpaces alone."""

from __future__ import annotations

import json

import botocore.session
import pytest

from awssim.validation import shape_errors

from .test_response_shapes import _raw

MODEL = botocore.session.get_session().get_service_model("workspaces")
ACCOUNT, REGION = "123456789012", "eu-west-1"


@pytest.fixture
def big(sim):
    sim.seed(ACCOUNT, REGION, workspaces=5000, bundles=40, images=10)
    return sim


def _all_workspaces(sim) -> list[dict]:
    items, token = [], None
    while True:
        status, _, body = _raw(
            sim, "DescribeWorkspaces", {"Limit": 25, **({"NextToken": token} if token else {})}
        )
        assert status == 200, body
        data = json.loads(body)
        assert shape_errors(MODEL.operation_model("DescribeWorkspaces").output_shape, data) == []
        items.extend(data["Workspaces"])
        token = data.get("NextToken")
        if not token:
            return items


def test_every_state_and_compute_type_of_the_model_is_served_and_valid(big):
    items = _all_workspaces(big)
    assert len(items) == 5000
    assert {w["State"] for w in items} == set(MODEL.shape_for("WorkspaceState").enum)
    computes = {w["WorkspaceProperties"]["ComputeTypeName"] for w in items}
    assert computes == set(MODEL.shape_for("Compute").enum)


def test_pending_and_failed_workspaces_have_no_name_or_address_and_errors_carry_a_code(big):
    items = _all_workspaces(big)
    pending = [w for w in items if w["State"] == "PENDING"]
    assert pending and all("ComputerName" not in w and "IpAddress" not in w for w in pending)
    failed = [w for w in items if w["State"] == "ERROR"]
    assert any("ComputerName" not in w for w in failed)
    assert all(w["ErrorCode"] and w["ErrorMessage"] for w in failed)
    healthy = [w for w in items if w["State"] == "AVAILABLE"]
    assert all("ErrorCode" not in w and w["ComputerName"] for w in healthy)
    modified = [w for w in items if w["ModificationStates"]]
    assert modified and all(
        m["Resource"] in MODEL.shape_for("ModificationResourceEnum").enum
        for w in modified
        for m in w["ModificationStates"]
    )
    assert any(w.get("RelatedWorkspaces") for w in items)
    assert any(w.get("WorkspaceName") for w in items)
    assert any(w["RootVolumeEncryptionEnabled"] for w in items)


def test_a_bundle_image_update_leaves_workspaces_on_their_image_until_rebuilt(sim):
    sim.seed(ACCOUNT, REGION, workspaces=300, bundles=6, images=3)
    fleet = sim.fleet(ACCOUNT, REGION)
    before = {w: dict(r) for w, r in fleet.workspaces.items()}
    running = dict(fleet.meta["running_image"])
    out = sim.mutate(ACCOUNT, REGION, reimage=1, rng_seed=3)
    (bundle_id,) = out["reimaged_bundles"]
    new_image = fleet.bundles[bundle_id]["ImageId"]
    assert new_image not in running.values()
    on_it = [w for w, r in fleet.workspaces.items() if r["BundleId"] == bundle_id]
    assert on_it
    # Nothing a WorkSpace shows changed, and each still runs its old image.
    assert {w: dict(r) for w, r in fleet.workspaces.items()} == before
    assert fleet.meta["running_image"] == running
    # Rebuilt: REBUILDING now, on the bundle's current image; settled: AVAILABLE.
    out = sim.mutate(ACCOUNT, REGION, rebuild=300, rng_seed=4)
    assert set(out["rebuilt"]) == set(fleet.workspaces)
    assert all(fleet.meta["running_image"][w] == new_image for w in on_it)
    assert {r["State"] for r in fleet.workspaces.values()} == {"REBUILDING"}
    out = sim.mutate(ACCOUNT, REGION, settle=True)
    assert len(out["settled"]) == 300
    assert {r["State"] for r in fleet.workspaces.values()} == {"AVAILABLE"}
    assert all(r.get("ComputerName") and r.get("IpAddress") for r in fleet.workspaces.values())


def test_a_dropped_bundle_is_no_longer_returned_but_its_workspaces_stay(sim):
    sim.seed(ACCOUNT, REGION, workspaces=100, bundles=6, images=3)
    out = sim.mutate(ACCOUNT, REGION, drop_bundles=1)
    (bundle_id,) = out["dropped_bundles"]
    status, _, body = _raw(sim, "DescribeWorkspaceBundles", {"BundleIds": [bundle_id]})
    assert status == 200 and json.loads(body) == {"Bundles": []}
    workspaces = [w for w in _all_workspaces(sim) if w["BundleId"] == bundle_id]
    assert workspaces


def test_aws_owned_bundles_point_at_images_the_account_cannot_see(sim):
    sim.seed(ACCOUNT, REGION, workspaces=50, bundles=6, images=3)
    _, _, body = _raw(sim, "DescribeWorkspaceBundles", {"Owner": "AMAZON"})
    amazon = json.loads(body)["Bundles"]
    assert amazon
    ids = sorted({b["ImageId"] for b in amazon})
    _, _, body = _raw(sim, "DescribeWorkspaceImages", {"ImageIds": ids})
    assert json.loads(body)["Images"] == []
