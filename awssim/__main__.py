"""``python -m awssim --help``: serve, or ``python -m awssim stats`` (etc.) to control."""

import sys

from .cli import main

sys.exit(main())
