"""The Administrators group (nexthink_admin's default roles) may see the Operations page."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("operations")
    config.models_module = True  # the permission exists only after post_migrate otherwise
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="operations", codename="view_operations"
    )
    for group in Group.objects.filter(name="Administrators"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(
        content_type__app_label="operations", codename="view_operations"
    ):
        permission.group_set.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_heartbeat"),
        ("nexthink_admin", "0002_default_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
