"""The state badge of a device, in the vocabulary of what it is.

A personal WorkSpace's `State` (botocore's WorkspaceState, 17 values) and a
pool session's `ConnectionState` (CONNECTED / NOT_CONNECTED) are different
vocabularies: a value of one never takes its colour from the other."""

from django import template

register = template.Library()

WORKSPACE_OK = frozenset({"AVAILABLE"})
WORKSPACE_BAD = frozenset({"ERROR", "UNHEALTHY", "IMPAIRED"})
WORKSPACE_NEUTRAL = frozenset({"STOPPED", "TERMINATED"})
WORKSPACE_TRANSITIONAL = frozenset(
    {
        "PENDING",
        "STARTING",
        "REBOOTING",
        "REBUILDING",
        "RESTORING",
        "UPDATING",
        "MAINTENANCE",
        "ADMIN_MAINTENANCE",
        "STOPPING",
        "SUSPENDED",
        "TERMINATING",
    }
)
SESSION_OK = frozenset({"CONNECTED"})

MEANING = {
    "AVAILABLE": "Running and ready for its user.",
    "PENDING": "Being created.",
    "STARTING": "Starting (an AutoStop WorkSpace waking up).",
    "REBOOTING": "Rebooting.",
    "REBUILDING": "Being rebuilt from its bundle's current image.",
    "RESTORING": "Its root volume is being restored from a snapshot.",
    "UPDATING": "Its properties are being changed.",
    "MAINTENANCE": "In a maintenance window.",
    "ADMIN_MAINTENANCE": "Put in maintenance mode by an administrator.",
    "STOPPING": "Stopping.",
    "STOPPED": "Stopped (AutoStop): starts when its user connects.",
    "SUSPENDED": "Suspended.",
    "TERMINATING": "Being deleted.",
    "TERMINATED": "Deleted.",
    "ERROR": "AWS could not create or operate it: see the error code.",
    "UNHEALTHY": "Not responding to AWS health checks.",
    "IMPAIRED": "Running with a problem AWS detected.",
    "CONNECTED": "A user is connected to the pool session.",
    "NOT_CONNECTED": "No user is connected to the pool session.",
}


@register.filter
def state_badge(state: str, kind: str = "personal") -> str:
    """The badge class: ok, warn, err or "" (neutral). `kind` is the device's
    pool type: a pooled device's state is its session's connection state."""
    if kind == "pooled":
        return "ok" if state in SESSION_OK else ""
    if state in WORKSPACE_OK:
        return "ok"
    if state in WORKSPACE_BAD:
        return "err"
    if state in WORKSPACE_TRANSITIONAL:
        return "warn"
    return ""  # STOPPED, TERMINATED, and any value AWS may add later


@register.filter
def state_meaning(state: str) -> str:
    return MEANING.get(state, "")
