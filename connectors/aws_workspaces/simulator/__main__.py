"""``python -m connectors.aws_workspaces.simulator --help``"""

import sys

from .server import main

sys.exit(main())
