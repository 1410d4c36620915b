"""What seeded WorkSpaces are made of: the enums of botocore's WorkSpaces model
(every state, compute type and modification of the model, never a copy) and
the sizes, names and errors the simulator gives them."""

from __future__ import annotations

import botocore.session


def _model_enum(shape: str) -> tuple[str, ...]:
    """An enum of botocore's WorkSpaces model: the simulator follows the model, never a copy."""
    model = botocore.session.get_session().get_service_model("workspaces")
    return tuple(model.shape_for(shape).enum)


# Every compute type and WorkSpace state of botocore's model.
COMPUTE_TYPES: tuple[str, ...] = _model_enum("Compute")
WORKSPACE_STATES: tuple[str, ...] = _model_enum("WorkspaceState")
MODIFICATION_RESOURCES: tuple[str, ...] = _model_enum("ModificationResourceEnum")
MODIFICATION_STATES: tuple[str, ...] = _model_enum("ModificationStateEnum")
# States a WorkSpace passes through (mutate(settle=True) ends them: AVAILABLE).
TRANSITIONAL_STATES = frozenset(
    ("PENDING", "REBOOTING", "STARTING", "REBUILDING", "RESTORING", "MAINTENANCE", "UPDATING")
) | frozenset(("ADMIN_MAINTENANCE", "STOPPING", "SUSPENDED"))
# The common compute types weigh most; every other type of the model appears now and then.
_COMMON_COMPUTE = {
    "VALUE": 10,
    "STANDARD": 35,
    "PERFORMANCE": 25,
    "POWER": 15,
    "POWERPRO": 7,
    "GRAPHICS_G4DN": 4,
    "GRAPHICSPRO_G4DN": 2,
    "GENERALPURPOSE_4XLARGE": 2,
}
COMPUTE_WEIGHTS = tuple(_COMMON_COMPUTE.get(c, 0.25) for c in COMPUTE_TYPES)
_STORAGE_BY_TYPE = {  # compute type -> (root GiB, user GiB); others: (100, 100)
    "VALUE": (80, 10),
    "STANDARD": (80, 50),
    "PERFORMANCE": (80, 100),
    "POWER": (175, 100),
    "POWERPRO": (175, 100),
    "GENERALPURPOSE_4XLARGE": (175, 100),
    "GENERALPURPOSE_8XLARGE": (175, 100),
}
STORAGE = {c: _STORAGE_BY_TYPE.get(c, (100, 100)) for c in COMPUTE_TYPES}
_TITLE_BY_TYPE = {"POWERPRO": "PowerPro", "GRAPHICSPRO": "GraphicsPro"}


def _title(compute: str) -> str:
    """GRAPHICS_G6_XLARGE -> Graphics.g6.xlarge, as AWS names its bundles."""
    head, *rest = compute.split("_")
    head = _TITLE_BY_TYPE.get(head, head.capitalize())
    return ".".join([head, *(part.lower() for part in rest)])


TITLE = {c: _title(c) for c in COMPUTE_TYPES}
# ErrorCode / ErrorMessage of WorkSpaces in ERROR (a failed create) or UNHEALTHY.
WORKSPACE_ERRORS = (
    ("ResourceUnavailable.Unknown", "The WorkSpace is not reachable. Reboot or rebuild it."),
    ("ResourceLimitExceeded.Subnet", "The subnet has no free IP addresses for the WorkSpace."),
    ("UserNotFound", "The user could not be found in the directory."),
    ("InsufficientCapacity", "There is not enough capacity for the compute type requested."),
)
RARE_STATES = tuple(
    s for s in WORKSPACE_STATES if s not in ("AVAILABLE", "STOPPED", "ERROR", "UNHEALTHY")
)
