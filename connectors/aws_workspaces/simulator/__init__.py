"""AWS simulator for tests, the demo and benchmarks: moto's server plus our own layer.

Timings: (to be measured)
"""

from .auth import FIVE_ACTIONS
from .server import DEFAULT_APP_ACCOUNT, DEFAULT_CUSTOMER_ACCOUNT, DEFAULT_ROLE_NAME, Simulator, main

__all__ = ["FIVE_ACTIONS", "DEFAULT_APP_ACCOUNT", "DEFAULT_CUSTOMER_ACCOUNT", "DEFAULT_ROLE_NAME", "Simulator", "main"]
