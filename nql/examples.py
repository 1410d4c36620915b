"""The queries administrators write most (shared/reference/nql-examples.md),
shown beside the editor and proven by tests/nql/test_examples.py.

Pools are not devices (pooled sessions are in pool.sessions, pools in pools):
the examples about pools read the pools table; those about WorkSpaces the
devices table, where virtualization.desktop_pool is the bundle's name."""

EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "WorkSpaces updated in the past week",
        'devices during past 7d | where virtualization.desktop_broker == "aws_workspaces" '
        "| list name, virtualization.desktop_pool, virtualization.instance_size | sort name asc",
    ),
    (
        "WorkSpaces by region",
        'devices | where virtualization.desktop_broker == "aws_workspaces" '
        "| summarize workspaces = count() by virtualization.region | sort workspaces desc",
    ),
    (
        "Pools and sessions in use by instance size",
        "pools | summarize pools = count(), in_use = active_user_sessions.sum() by instance_size",
    ),
    (
        "Pool capacity in use per production environment",
        'pools | where environment_name == "prod-*" | summarize in_use = '
        "active_user_sessions.sum() / desired_user_sessions.sum() by environment_name",
    ),
    (
        "Finance pools not on a 2025 golden image",
        'pools | where name == "finance*" and disk_image != "golden-2025-*" '
        "| list name, connector.nql_id, disk_image",
    ),
    (
        "Image drift per pool",
        "pools | summarize pools = count() by name, disk_image | sort pools asc",
    ),
    (
        "Enrichment gone stale",
        "devices | where virtualization.last_update.time_elapsed() > 2d "
        "| list name, virtualization.last_update",
    ),
    (
        "Graphics WorkSpaces in two regions",
        'devices | where virtualization.instance_size == "*GRAPHICS*" and virtualization.region '
        'in ["us-east-1", "eu-west-1"] | list name, virtualization.instance_size',
    ),
    (
        "Top pools",
        "pools | summarize sessions = active_user_sessions.sum() by name "
        "| sort sessions desc | limit 10",
    ),
    (
        "WorkSpaces by broker and environment",
        "devices during past 30d | summarize n = count() by virtualization.desktop_broker, "
        "virtualization.environment_name",
    ),
    (
        "Failed runs of the past week",
        "connector.runs during past 7d | where status == failed "
        "| list connector.nql_id, time, error_code, error_message",
    ),
    (
        "Runs per day",
        "connector.runs during past 30d | summarize runs = count(), "
        "failed = countif(status == failed) by 1d",
    ),
)
