"""`python -m bench --help`"""

from .run import main

raise SystemExit(main())
