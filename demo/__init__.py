"""The demo: `make demo` wires the AWS simulator (awssim) to a demo credential
and two connectors; `make demo-drift` changes the simulated fleet.

Installed only by the local and test settings, never in production.
"""
