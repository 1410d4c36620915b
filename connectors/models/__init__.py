"""The app's models, one module per concept (Django finds them here)."""

from .connector import InboundConnector, NqlIdLocked, Run
from .device import Device, DeviceChange

__all__ = ["Device", "DeviceChange", "InboundConnector", "NqlIdLocked", "Run"]
