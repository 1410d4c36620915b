"""The connector-type registry: generic code reaches a type only through it."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from connectors import registry
from connectors.registry import ConnectorType, connector_type, connector_types
from tests.connectors.factories import make_connector

ROOT = Path(__file__).resolve().parents[2]
TYPE_PACKAGE = "connectors.aws_workspaces"
PRODUCT_PACKAGES = ("connectors", "credentials", "nexthink_admin")
# The AWS simulator's command: a tool, not the product (it leaves connectors/ with issue 12).
TOOLS = {Path("connectors/management/commands/aws_simulator.py")}


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _references(path: Path, source: str | None = None) -> list[str]:
    """Every module `path` imports, and every string naming one of the type's modules."""
    tree = ast.parse((ROOT / path).read_text() if source is None else source)
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found += [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and str(node.value).startswith(TYPE_PACKAGE):
            found.append(node.value)
    return found


def _product_files() -> list[Path]:
    files = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative.parts[:2] != ("connectors", "aws_workspaces") and relative not in TOOLS:
                files.append(relative)
    return files


def test_only_the_registration_line_names_the_aws_workspaces_package():
    naming = {
        (str(path), reference)
        for path in _product_files()
        for reference in _references(path)
        if reference == TYPE_PACKAGE or reference.startswith(TYPE_PACKAGE + ".")
    }
    assert naming == {("connectors/registry.py", registry.TYPES[0])}
    assert registry.TYPES[0].startswith(TYPE_PACKAGE + ".")


def test_the_import_check_sees_relative_and_absolute_imports_and_dotted_paths():
    # The check above must be able to fail: every spelling of a reference is caught.
    source = (
        "from .aws_workspaces import aws\n"
        "from ..aws_workspaces.regions import region_choices\n"
        "import connectors.aws_workspaces.mapping\n"
        "LAZY = 'connectors.aws_workspaces.probe'\n"
    )
    refs = _references(Path("connectors/devices/example.py"), source)
    assert "connectors.aws_workspaces.regions" in refs  # from connectors/devices/, two dots
    refs += _references(Path("connectors/example.py"), source)
    for module in ("aws", "mapping", "probe"):
        assert f"connectors.aws_workspaces.{module}" in refs


def test_the_aws_type_is_registered_with_its_label_and_parameters():
    aws = connector_type("aws_workspaces")
    assert isinstance(aws, ConnectorType) and aws in connector_types()
    assert aws.label == "AWS WorkSpaces"
    assert list(aws.parameter_fields()) == ["region"]
    with pytest.raises(LookupError):
        connector_type("appstream")


@pytest.mark.django_db
def test_the_region_is_a_parameter_shown_with_its_label_on_the_connector_pages(admin_client):
    connector = make_connector("Alpha", region="us-east-1")
    assert connector.parameters == {"region": "us-east-1"}
    assert not hasattr(connector, "region")
    detail = admin_client.get(connector.get_absolute_url()).content.decode()
    assert "<dt>Region</dt><dd>US East (N. Virginia) (us-east-1)</dd>" in detail
    listing = admin_client.get(reverse("connectors:list")).content.decode()
    assert "<th>Region</th>" in listing and "us-east-1" in listing


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_regions_into_parameters_and_back():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("connectors", "0005_active_devices_by_name_index")]
    after = [("connectors", "0006_connector_parameters_replace_region")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    credential = apps.get_model("credentials", "Credential").objects.create(
        name="c", external_id="x" * 32, role_arn="arn:aws:iam::123456789012:role/R"
    )
    apps.get_model("connectors", "InboundConnector").objects.create(
        name="EU", nql_id="eu", credential=credential, region="eu-west-1", environment_name="E"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    moved = apps.get_model("connectors", "InboundConnector").objects.get()
    assert moved.parameters == {"region": "eu-west-1"}
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    assert apps.get_model("connectors", "InboundConnector").objects.get().region == "eu-west-1"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
