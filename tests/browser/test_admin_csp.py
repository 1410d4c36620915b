"""Every Django admin page a superuser can open stays within the CSP (no inline
script or style is blocked): the changelist, add and change page of every
registered model, ours and the libraries' (issue 14 finding 12)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from connectors.models import DeviceChange, Run
from nexthink_admin.audit import audit_record
from tests.connectors.factories import make_connector
from tests.devices.factories import make_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_pages() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            try:
                urls.append(reverse(f"{prefix}_change", args=[first.pk]))
            except NoReverseMatch:
                pass
    return urls


def test_every_admin_page_stays_within_the_csp(page, live_server, admin_user, client):
    connector = make_connector("CSP walk")
    device = make_device(connector)
    run = Run.objects.create(connector=connector, status="failed", error_message="x")
    DeviceChange.objects.create(
        device=device,
        run=run,
        field="region",
        old_value="a",
        new_value="b",
        changed_at=timezone.now(),
    )
    audit_record(actor=admin_user, action="created", obj=connector, object_type="connector")
    client.post(reverse("login"), {"username": "root", "password": "wrong"})  # an axes attempt
    # A group to open, also when an earlier browser test emptied the database
    # (its migration-made groups with it).
    Group.objects.get_or_create(name="Viewers")

    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    for url in admin_pages():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status < 500, f"{url}: {response.status}"
        page.wait_for_load_state("load")
    # The page fixture fails the test on any CSP violation the browser reported.
