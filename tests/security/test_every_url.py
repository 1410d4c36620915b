"""Every URL of the project is covered by the security table below.

For each URL the resolver knows (outside the exemptions): an anonymous user
is sent to the sign-in page, a signed-in user without any permission gets
403 (for GET and POST alike), and a user holding only the permission the
table names gets the page, never a 5xx. A URL added to the project without a
row here fails with "new URL without security coverage: <name>"."""

import pytest
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, reverse

from connectors.models import Run
from insight.models import AlertChannel
from nql import services as nql_services
from tests.connectors.factories import make_connector
from tests.credentials.factories import make_credential
from tests.devices.factories import make_device
from tests.pools.factories import make_pool

pytestmark = pytest.mark.django_db

VIEW_DEVICE = "connectors.view_device"
VIEW_CONNECTOR = "connectors.view_inboundconnector"
ADD_CONNECTOR = "connectors.add_inboundconnector"
CHANGE_CONNECTOR = "connectors.change_inboundconnector"
DELETE_CONNECTOR = "connectors.delete_inboundconnector"

# URL name -> (method a permitted user calls, permissions: holding any ONE of
# them is enough; None: any signed-in user).
SECURITY_TABLE: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "home": (
        "GET",
        None,
    ),  # the overview; each section checks its own permission (nexthink_admin/views.py)
    "audit": ("GET", ("nexthink_admin.view_auditevent",)),
    "preferences": ("GET", None),  # each user's own time zone (nexthink_admin/preferences.py)
    "theme": ("POST", None),  # each user's own theme (nexthink_admin/themes.py)
    "credentials:list": ("GET", ("credentials.view_credential",)),
    "credentials:create": ("GET", ("credentials.add_credential",)),
    "credentials:detail": ("GET", ("credentials.view_credential",)),
    "credentials:edit": ("GET", ("credentials.change_credential",)),
    "credentials:delete": ("GET", ("credentials.delete_credential",)),
    "credentials:verify": ("POST", ("credentials.change_credential",)),
    "connectors:list": ("GET", (VIEW_CONNECTOR,)),
    "connectors:choose_type": ("GET", (ADD_CONNECTOR,)),
    "connectors:create": ("GET", (ADD_CONNECTOR,)),
    "connectors:test": (
        "POST",
        (ADD_CONNECTOR, CHANGE_CONNECTOR),
    ),  # whoever may create or edit may test
    "connectors:detail": ("GET", (VIEW_CONNECTOR,)),
    "connectors:edit": ("GET", (CHANGE_CONNECTOR,)),
    "connectors:runs_fragment": ("GET", (VIEW_CONNECTOR,)),
    "connectors:runs": ("GET", (VIEW_CONNECTOR,)),
    "connectors:delete": ("GET", (DELETE_CONNECTOR,)),
    "connectors:run_now": ("POST", (CHANGE_CONNECTOR,)),
    "connectors:toggle": ("POST", (CHANGE_CONNECTOR,)),
    "devices:list": ("GET", (VIEW_DEVICE,)),
    "devices:export_csv": ("GET", (VIEW_DEVICE,)),
    "devices:export_enrichment": ("GET", (VIEW_DEVICE,)),
    "devices:export_summary": ("GET", (VIEW_DEVICE,)),
    "devices:detail": ("GET", (VIEW_DEVICE,)),
    "pools:list": ("GET", (VIEW_DEVICE,)),
    "pools:detail": ("GET", (VIEW_DEVICE,)),
    "operations:page": ("GET", ("operations.view_operations",)),
    # NQL: the query page needs any table's permission; each query its table's.
    "nql:query": ("GET", (VIEW_DEVICE, VIEW_CONNECTOR)),
    "nql:export_csv": ("GET", (VIEW_DEVICE, VIEW_CONNECTOR)),
    "nql_queries:list": ("GET", ("nql.view_nqlapiquery",)),
    "nql_queries:create": ("GET", ("nql.add_nqlapiquery",)),
    "nql_queries:edit": ("GET", ("nql.change_nqlapiquery",)),
    "nql_queries:delete": ("GET", ("nql.delete_nqlapiquery",)),
    "api_clients:list": ("GET", ("nql.view_apiclient",)),
    "api_clients:create": ("GET", ("nql.add_apiclient",)),
    "api_clients:revoke": ("GET", ("nql.change_apiclient",)),
    "nql_api:openapi": ("GET", None),  # any signed-in user may read the API's description
    "insight:health": ("GET", (VIEW_DEVICE,)),
    "insight:transitions": ("GET", (VIEW_DEVICE,)),
    "insight:usage": ("GET", (VIEW_DEVICE,)),
    "insight:unused": ("GET", (VIEW_DEVICE,)),
    "insight:pool_load": ("GET", (VIEW_DEVICE,)),
    "insight:drift": ("GET", (VIEW_DEVICE,)),
    "insight:drift_changes": ("GET", (VIEW_DEVICE,)),
    "insight:retention": ("GET", ("insight.view_cleanuprecord",)),
    "insight:alerts": ("GET", ("insight.view_alertchannel",)),
    "insight:channel_create": ("GET", ("insight.add_alertchannel",)),
    "insight:channel_edit": ("GET", ("insight.change_alertchannel",)),
    "insight:channel_delete": ("GET", ("insight.delete_alertchannel",)),
    "insight:channel_test": ("POST", ("insight.change_alertchannel",)),
    "insight:rule_edit": ("GET", ("insight.change_alertrule",)),
}
EXEMPT = {
    "login": "public by design: the sign-in page must be reachable when signed out",
    "nql_api:token": "the API's OAuth2 token endpoint: HTTP Basic client credentials (tests/nql)",
    "nql_api:execute": "the NQL API: Bearer tokens, or a session with CSRF (tests/nql/test_api.py)",
    "logout": "public by design: signing out needs no permission",
    "favicon": "public by design: browsers ask for /favicon.ico on the sign-in page too",
    "operations:healthz": "public by design: a liveness probe (tests/operations)",
    "operations:readyz": "public by design: a readiness probe (tests/operations)",
    "operations:metrics": "a bearer token or an address allow-list, not a login (tests/operations)",
}
EXEMPT_NAMESPACES = {
    "admin": "the Django admin has its own staff and model-permission checks (tests at the end)"
}
EXEMPT_PREFIXES = tuple(
    p.lstrip("/") for p in (settings.STATIC_URL, settings.MEDIA_URL) if p and p.strip("/")
)


def project_urls() -> dict[str, tuple[str, object]]:
    """Qualified URL name (or route, when unnamed) -> (route, URLPattern)."""
    found: dict[str, tuple[str, object]] = {}

    def walk(patterns, route: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in EXEMPT_NAMESPACES:
                    continue
                walk(
                    p.url_patterns,
                    route + str(p.pattern),
                    f"{namespace}{p.namespace}:" if p.namespace else namespace,
                )
                continue
            full = route + str(p.pattern)
            if EXEMPT_PREFIXES and full.startswith(EXEMPT_PREFIXES):
                continue  # static and media files
            found[f"{namespace}{p.name}" if p.name else full] = (full, p)

    walk(get_resolver().url_patterns, "", "")
    return found


URLS = project_urls()


@pytest.fixture
def object_ids() -> dict[str, int]:
    """One of each object a URL can name, by the namespace whose <int:pk> is its id."""
    connector = make_connector("Security walk", credential=make_credential("Security walk account"))
    device = make_device(connector)
    run = Run.objects.create(connector=connector, status="succeeded", trigger="manual")
    api_query = nql_services.nql_api_query_create(
        name="Security walk", query_id="#security_walk", description="", query="devices"
    )
    api_client, _ = nql_services.api_client_create(
        name="Security walk", permissions=["nql:devices"]
    )
    channel = AlertChannel.objects.create(name="Ops", kind="email", recipients="ops@example.com")
    return {
        "nql_queries": api_query.pk,
        "api_clients": api_client.pk,
        "insight": channel.pk,  # the alert channel pages
        "credentials": connector.credential_id,
        "connectors": connector.pk,
        "devices": device.pk,
        "pools": make_pool(connector).pk,
        "runs": run.pk,
    }


@pytest.fixture(autouse=True)
def nothing_reaches_a_worker_or_aws(aws_env, monkeypatch):
    """Run now queues a task: record it instead, and keep AWS out of reach."""
    sent = []
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async", lambda self, *a, **kw: sent.append((a, kw))
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # Verify's AssumeRole: refused
    cache.clear()
    yield sent
    cache.clear()


def concrete_url(name: str, object_ids: dict[str, int]) -> str:
    route, pattern = URLS[name]
    converters = getattr(pattern.pattern, "converters", {})
    groups = getattr(getattr(pattern.pattern, "regex", None), "groupindex", {})
    kwargs = {}
    for key in set(converters) | set(groups):
        kind = type(converters.get(key)).__name__
        namespace = name.split(":")[0] if ":" in name else ""
        if key == "pk" and kind == "IntConverter" and namespace in object_ids:
            kwargs[key] = object_ids[namespace]
        elif key == "connector_type" and kind == "SlugConverter":
            kwargs[key] = "aws_workspaces"
        elif key == "kind" and name == "insight:rule_edit":
            kwargs[key] = "connector_failing"
        else:
            pytest.fail(f"add a case for this URL: {name} ({route}), parameter <{key}>")
    return reverse(name, kwargs=kwargs)


def test_every_project_url_has_a_row_in_the_security_table():
    missing = [name for name in URLS if name not in SECURITY_TABLE and name not in EXEMPT]
    assert not missing, "\n".join(f"new URL without security coverage: {name}" for name in missing)
    stale = [name for name in [*SECURITY_TABLE, *EXEMPT] if name not in URLS]
    assert not stale, f"security table rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(SECURITY_TABLE))
def test_table_names_the_permission_the_view_itself_declares(name):
    if name not in URLS:
        pytest.fail(f"{name} is in the table but not in the project")
    view = URLS[name][1].callback.view_class
    _, perms = SECURITY_TABLE[name]
    if perms is None:
        assert not issubclass(view, PermissionRequiredMixin), (
            f"{name} now declares a permission: update the table"
        )
        return
    assert issubclass(view, PermissionRequiredMixin), (
        f"{name}: {view.__name__} checks no permission"
    )
    declared = view.permission_required
    declared = (declared,) if isinstance(declared, str) else tuple(declared)
    assert declared and set(declared) <= set(perms), (
        f"{name}: the view declares {declared}, the table {perms}"
    )


@pytest.mark.parametrize("name", sorted(name for name in URLS if name not in EXEMPT))
def test_url_refuses_anonymous_and_unpermitted_users_and_serves_permitted_ones(
    name, client, make_user, object_ids
):
    if name not in SECURITY_TABLE:
        pytest.fail(f"new URL without security coverage: {name}")
    method, perms = SECURITY_TABLE[name]
    url = concrete_url(name, object_ids)
    login = reverse("login")

    for verb in ("get", "post"):
        response = getattr(client, verb)(url)
        assert response.status_code == 302, (
            f"anonymous {verb.upper()} {url}: {response.status_code}"
        )
        assert response["Location"].startswith(f"{login}?next="), (
            f"anonymous {verb.upper()} {url}: {response['Location']}"
        )

    client.force_login(make_user("nobody"))
    for verb in ("get", "post"):
        response = getattr(client, verb)(url)
        status = response.status_code
        if perms is None:  # a form of the user's own (Preferences) may save and redirect,
            # or refuse the empty post (the theme switch: 400 with its message)
            assert status in (200, 400, 405) or (
                status == 302 and not response["Location"].startswith(login)
            ), f"signed-in {verb.upper()} {url}: {status}"
        else:
            assert status == 403, f"signed in without permission, {verb.upper()} {url}: {status}"

    for i, perm in enumerate(perms or (None,)):
        client.force_login(make_user(f"holder{i}", *([perm] if perm else [])))
        cache.clear()  # the Run test endpoint is rate limited per user
        response = getattr(client, method.lower())(url)
        status = response.status_code
        assert status < 500, f"{method} {url} with {perm}: {status}"
        assert status not in (401, 403, 404), f"{method} {url} with only {perm}: {status}"
        if status == 302:
            assert not response["Location"].startswith(login), (
                f"{method} {url} with {perm} sent to sign in"
            )


def test_every_authentication_path_is_public_and_shares_the_sign_in_lockout(client):
    """Every URL that signs a user in (console and admin, found by walking the
    resolver) is reachable signed out and is covered by the lockout tests."""
    from tests.security.test_sign_in import AUTH_PATHS, authentication_paths

    assert authentication_paths() == set(AUTH_PATHS), "a new sign-in path: add it to AUTH_PATHS"
    for name in AUTH_PATHS:
        assert client.get(reverse(name)).status_code == 200, name


def test_admin_index_sends_anonymous_users_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_refuses_signed_in_users_who_are_not_staff(client, make_user):
    client.force_login(
        make_user("clerk", "credentials.view_credential", "credentials.change_credential")
    )
    for url in (reverse("admin:index"), reverse("admin:credentials_credential_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("admin:login")
        ), url
