"""The image a WorkSpace runs against the simulator: a bundle image update is
no drift of its WorkSpaces; a rebuild is. A bundle AWS no longer returns."""

import pytest

from connectors.choices import RunStatus
from connectors.models import Device, DeviceChange
from tests.conftest import CUSTOMER_ACCOUNT

from .test_collection import REGION, active, sync

pytestmark = pytest.mark.django_db


def test_a_bundle_image_update_records_no_disk_image_drift_until_the_workspace_is_rebuilt(
    aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=120, bundles=3, images=2)
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    for device in active(aws_connector):
        assert device.running_image_id == fleet.meta["running_image"][device.workspace_id]
    out = aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, reimage=1, rng_seed=2)
    (bundle_id,) = out["reimaged_bundles"]
    new_image = fleet.bundles[bundle_id]["ImageId"]
    on_bundle = active(aws_connector).filter(bundle_id=bundle_id)
    old = {d.pk: (d.running_image_id, d.disk_image) for d in on_bundle}
    assert old

    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED
    assert not DeviceChange.objects.filter(run=run).exists()
    assert run.updated == 0
    for device in on_bundle.all():
        assert (device.running_image_id, device.disk_image) == old[device.pk]
        assert (
            device.image_id == new_image and device.bundle_image == fleet.images[new_image]["Name"]
        )
        assert device.image_behind_bundle
    assert set(active(aws_connector).filter(image_behind_bundle=True)) == set(on_bundle.all())

    # Rebuilt: the WorkSpace now runs the bundle's image, and that is drift.
    rebuilt = aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, rebuild=120, rng_seed=5)["rebuilt"]
    run = sync(aws_connector)
    changes = DeviceChange.objects.filter(run=run, field="disk_image")
    assert {c.device_id for c in changes} == set(old)
    device = on_bundle.all().filter(workspace_id__in=rebuilt).first()
    assert (device.running_image_id, device.state) == (new_image, "REBUILDING")
    assert device.disk_image == fleet.images[new_image]["Name"] and not device.image_behind_bundle
    assert not active(aws_connector).filter(image_behind_bundle=True).exists()


def test_a_bundle_aws_no_longer_returns_keeps_known_devices_and_names_new_ones_by_its_id(
    aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=60, bundles=3, images=2)
    sync(aws_connector)
    dropped = aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, drop_bundles=1)["dropped_bundles"][0]
    known = {
        d.pk: (d.desktop_pool, d.disk_image)
        for d in active(aws_connector).filter(bundle_id=dropped)
    }
    assert known
    Device.objects.filter(bundle_id=dropped).first().delete()  # seen as new on the next run
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED
    on_dropped = active(aws_connector).filter(bundle_id=dropped)
    for device in on_dropped.all():
        if device.pk in known:
            assert (device.desktop_pool, device.disk_image) == known[device.pk]
        else:
            assert device.desktop_pool == dropped
    assert on_dropped.count() == len(known)
