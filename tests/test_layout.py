"""The tools around the product (the AWS simulator, the demo, the benchmarks)
stay outside it: production neither installs nor imports them."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("nexthink_admin", "credentials", "connectors")
TOOLS = ("awssim", "moto", "demo", "bench")


def imported_modules(path: Path) -> set[str]:
    """Every module a Python file imports (absolute names; relative ones stay inside)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_product_code_imports_none_of_the_tools():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in sorted(imported_modules(path))
        if name.split(".")[0] in TOOLS
    ]
    assert offenders == []


def test_the_import_check_sees_an_import_of_a_tool(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom awssim.server import Simulator\nfrom . import demo\n")
    assert imported_modules(sample) == {"os", "awssim.server"}


def manage_commands(**env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("settings", "has_demo"),
    [("production", False), ("local", True), ("test", True)],
)
def test_only_local_and_test_settings_install_the_demo_commands(settings, has_demo):
    commands = manage_commands(
        DJANGO_SETTINGS_MODULE=f"nexthink_admin.settings.{settings}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="workspaces.example.com",
        DATABASE_URL="postgres://app@127.0.0.1:5432/app",
        REDIS_URL="redis://127.0.0.1:6379/0",
        AWS_TRUSTED_ACCOUNT_ID="884848470805",
    ).split()
    assert "sync_connector" in commands
    assert ("aws_simulator" in commands) is has_demo
    assert ("demo_drift" in commands) is has_demo
