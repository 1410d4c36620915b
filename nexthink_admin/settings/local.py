"""`make run` (and `make dev`): one machine, served over plain http on
127.0.0.1 by default. Safe as it is: DEBUG is off unless DEBUG=true (`make dev`
sets it), and the secret key is generated once and kept in var/secret_key
(never committed; SECRET_KEY in the environment or .env wins)."""

import os
import secrets
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import INSTALLED_APPS, VAR_DIR, env

VAR_DIR.mkdir(exist_ok=True)
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY_FILE = Path(env("SECRET_KEY_FILE", default=str(VAR_DIR / "secret_key")))


def secret_key_load_or_create(path: Path) -> str:
    """The key in `path`, created (owner-only) on first use. Web, worker and
    beat may start at once: the file appears whole or not at all."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(draft, path)  # atomic; fails if another process won
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY", default="") or secret_key_load_or_create(SECRET_KEY_FILE)

# The demo (`make demo`: the AWS simulator wired to demo connectors) is a
# development tool: installed here and in the tests, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
