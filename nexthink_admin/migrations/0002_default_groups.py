"""Two roles out of the box: Administrators manage credentials and connectors;
Viewers browse devices and runs, read-only."""

from django.db import migrations

ADMINISTRATORS = {
    "credentials": ["add_credential", "change_credential", "delete_credential", "view_credential"],
    "connectors": [
        "add_inboundconnector",
        "change_inboundconnector",
        "delete_inboundconnector",
        "view_inboundconnector",
        "view_run",
        "view_device",
        "view_devicechange",
    ],
    "nexthink_admin": ["view_auditevent"],
}
VIEWERS = {"connectors": ["view_inboundconnector", "view_run", "view_device", "view_devicechange"]}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():  # permissions exist only after post_migrate otherwise
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, table in (("Administrators", ADMINISTRATORS), ("Viewers", VIEWERS)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in table.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Administrators", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("nexthink_admin", "0001_audit_trail"),
        ("credentials", "0001_initial"),
        ("connectors", "0004_run_worker"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
