import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def make_user(django_user_model):
    def make(username: str = "user", *perms: str, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1", **extra)
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return user

    return make


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-for-tests-1")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def plain_client(client, make_user):
    """Signed in, but without any permission."""
    client.force_login(make_user("nobody"))
    return client
