import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "nexthink_admin.settings.production",
    "ALLOWED_HOSTS": "workspaces.example.com",
    "DATABASE_URL": "postgres://app@127.0.0.1:5432/app",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "AWS_TRUSTED_ACCOUNT_ID": "884848470805",
}


def test_check_deploy_prints_no_warning_under_production_settings():
    result = run_manage("check", "--deploy", SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
        )
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("secret_key", ["", "   "])
def test_production_refuses_to_start_with_an_empty_secret_key(secret_key):
    result = run_manage("check", SECRET_KEY=secret_key, **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "empty" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "workspaces.example.com,*", " * "])
def test_production_refuses_to_start_with_any_host_allowed(hosts):
    result = run_manage(
        "check", SECRET_KEY=secrets.token_urlsafe(50), **{**PRODUCTION, "ALLOWED_HOSTS": hosts}
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr and "'*'" in result.stderr


SHOW_SETTINGS = (
    "import importlib, sys; importlib.import_module(sys.argv[1]);"
    "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
)


@pytest.mark.parametrize("entry_point", ["nexthink_admin.wsgi", "nexthink_admin.celery"])
def test_a_production_entry_point_without_settings_never_boots_development_settings(entry_point):
    code = SHOW_SETTINGS.replace("sys.argv[1]", repr(entry_point))
    bare = run_python(code)
    assert bare.returncode != 0, bare.stdout  # it used to boot the local settings, DEBUG on
    assert "SECRET_KEY" in bare.stderr
    assert "settings.local" not in bare.stdout
    configured = run_python(code, SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION_ENV)
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.split() == ["nexthink_admin.settings.production", "False"]


PRODUCTION_ENV = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SETTINGS_MODULE"}


def test_local_settings_are_safe_by_default_with_a_key_generated_once(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    local = {
        "DJANGO_SETTINGS_MODULE": "nexthink_admin.settings.local",
        "SECRET_KEY_FILE": str(key_file),
    }
    first = run_python(code, **local)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["False"]
    key = key_file.read_text().strip()
    assert len(key) >= 50 and not key.startswith("django-insecure")
    assert key_file.stat().st_mode & 0o077 == 0, "the key file is readable by others"
    second = run_python(code, **local)
    assert second.returncode == 0 and key_file.read_text().strip() == key
    shown = run_python(
        "import django; django.setup(); from django.conf import settings;"
        " print(settings.SECRET_KEY == open(settings.SECRET_KEY_FILE).read().strip())",
        **local,
    )
    assert shown.stdout.split() == ["True"], shown.stderr


# HTTPS-only checks that cannot apply to `make run` on a plain http:// address
# (documented in docs/deploy.md); every other deployment check must pass.
HTTPS_ONLY = {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_check_deploy_on_the_make_run_settings_warns_only_about_https(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="nexthink_admin.settings.local",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    output = result.stdout + result.stderr
    found = set(re.findall(r"\?: \((\S+)\)", output))
    assert found <= HTTPS_ONLY, output
    assert "security.W018" not in output and "security.W009" not in output  # DEBUG, key


def test_make_run_serves_with_gunicorn_and_make_dev_with_the_development_server():
    procfile = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line
    )
    assert "gunicorn" in procfile["web"] and "runserver" not in procfile["web"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^dev:", makefile, re.MULTILINE)
    assert "runserver" in procfile["dev"]
    dev_recipe = makefile.split("\ndev:", 1)[1].split("\n\n", 1)[0]
    assert "DEBUG=true" in dev_recipe and "WEB_PROCESS=dev" in dev_recipe
