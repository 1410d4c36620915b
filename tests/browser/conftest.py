"""Browser fixtures live in tests/browser_support.py, registered by tests/conftest.py."""

from tests.browser_support import shot, sign_in  # noqa: F401
