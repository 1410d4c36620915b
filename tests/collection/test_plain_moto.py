"""A plain moto fleet (moto 5.2.5 as it is: no ComputerName, no IP address, no
DescribeWorkspaceBundles or pools calls) still gives devices that say what is
known and what is not, and a partial run that says why."""

import boto3
import pytest
from moto.server import ThreadedMotoServer

from connectors.choices import RunStatus
from connectors.models import Device
from tests.connectors.factories import make_connector
from tests.credentials.factories import make_credential

from .test_collection import sync

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"
BUNDLE = "wsb-abcdefghi"


@pytest.fixture
def moto_endpoint(aws_env, monkeypatch, no_backoff):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    yield endpoint
    server.stop()


def _moto_fleet(endpoint: str, count: int) -> None:
    def client(name):
        return boto3.client(name, region_name=REGION, endpoint_url=endpoint)

    ec2, ds, ws = client("ec2"), client("ds"), client("workspaces")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    directory = ds.create_directory(
        Name="corp.example.com",
        Password="Passw0rd!x",
        Size="Small",
        VpcSettings={"VpcId": vpc, "SubnetIds": subnets},
    )["DirectoryId"]
    ws.register_workspace_directory(DirectoryId=directory)
    ws.create_workspaces(
        Workspaces=[
            {
                "DirectoryId": directory,
                "UserName": f"user{i}",
                "BundleId": BUNDLE,
                "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "ComputeTypeName": "STANDARD"},
            }
            for i in range(count)
        ]
    )


def test_a_plain_moto_fleet_gives_devices_with_what_is_known_and_a_partial_run(moto_endpoint):
    _moto_fleet(moto_endpoint, 3)
    # moto accepts any External ID; the role's account is the one the fleet was made in.
    credential = make_credential(
        "Moto account", role_arn="arn:aws:iam::123456789012:role/NexthinkConnector-Moto"
    )
    connector = make_connector(
        "Moto", credential=credential, region=REGION, environment_name="Moto"
    )
    run = sync(connector)
    # moto implements neither DescribeWorkspaceBundles nor the pools calls: the run is partial.
    assert run.status == RunStatus.PARTIAL
    assert run.error_action in ("DescribeWorkspaceBundles", "DescribeWorkspacesPools")
    devices = list(Device.objects.filter(connector=connector))
    assert len(devices) == 3
    for device in devices:
        assert device.name == device.workspace_id  # moto gives no ComputerName
        assert device.desktop_pool == BUNDLE  # the bundle is not known: its id, never blank
        assert device.instance_size == "STANDARD" and device.running_mode == "AUTO_STOP"
        assert device.disk_image == device.running_image_id == ""  # unknown, not invented
        assert (device.error_code, device.protocols, device.image_behind_bundle) == ("", "", False)
        assert device.root_volume_size_gib is None
    # A second run changes nothing and records no drift.
    again = sync(connector)
    assert again.status == RunStatus.PARTIAL and (again.created, again.updated) == (0, 0)
