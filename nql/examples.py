"""The queries administrators write most (shared/reference/nql-examples.md),
shown beside the editor and proven by tests/nql/test_examples.py."""

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
        "Devices by pool and instance size",
        "devices | summarize n = count() by virtualization.desktop_pool, "
        "virtualization.instance_size",
    ),
    (
        "Pooled share per production environment",
        'devices | where virtualization.environment_name == "prod-*" | summarize pooled_share = '
        "countif(virtualization.type == pooled) / count() by virtualization.environment_name",
    ),
    (
        "Finance pools not on a 2025 golden image",
        'devices | where virtualization.desktop_pool == "finance*" and '
        'virtualization.disk_image != "golden-2025-*" | list name, virtualization.disk_image',
    ),
    (
        "Image drift per pool",
        "devices | summarize n = count() by virtualization.desktop_pool, "
        "virtualization.disk_image | sort n asc",
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
        'devices | where virtualization.desktop_broker == "aws_workspaces" '
        "| summarize n = count() by virtualization.desktop_pool | sort n desc | limit 10",
    ),
    (
        "Broker and pool type",
        "devices during past 30d | summarize n = count() by virtualization.desktop_broker, "
        "virtualization.type",
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
