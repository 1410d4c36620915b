"""The app's models, one module per concept (Django finds them here)."""

from .connector import InboundConnector, NqlIdLocked
from .device import Device, DeviceChange
from .pool import Pool, PoolSession
from .rollup import DeviceRollup, DeviceRollupBuild
from .run import Run

__all__ = [
    "Device",
    "DeviceChange",
    "DeviceRollup",
    "DeviceRollupBuild",
    "InboundConnector",
    "NqlIdLocked",
    "Pool",
    "PoolSession",
    "Run",
]
