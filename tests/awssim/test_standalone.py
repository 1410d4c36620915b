"""The simulator is a tool of its own: it runs without Django."""

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import awssim

ROOT = Path(__file__).resolve().parents[2]


def test_every_awssim_module_imports_without_django():
    modules = [
        f"awssim.{m.name}" for m in pkgutil.iter_modules(awssim.__path__) if m.name != "__main__"
    ]
    assert "awssim.server" in modules and "awssim.cli" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'django')))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
