"""``python -m awssim --help``"""

import sys

from .server import main

sys.exit(main())
