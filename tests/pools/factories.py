from datetime import timedelta

from django.utils import timezone

from connectors.models import Pool, PoolSession


def make_pool(connector, n: int = 1, **overrides) -> Pool:
    values = dict(
        connector=connector,
        pool_id=f"wspool-{n:09d}",
        name=f"Pool {n}",
        state="RUNNING",
        bundle_id="wsb-000000001",
        directory_id="wsd-000000001",
        running_mode="AUTO_STOP",
        image_id="wsi-000000001",
        disk_image="Finance-Golden-2026",
        instance_size="STANDARD",
        environment_name=connector.environment_name,
        region=connector.parameters["region"],
        available_user_sessions=2,
        desired_user_sessions=10,
        actual_user_sessions=10,
        active_user_sessions=8,
        max_user_duration_seconds=57600,
        last_update=timezone.now(),
    )
    values.update(overrides)
    return Pool.objects.create(**values)


def make_session(pool: Pool, n: int = 1, **overrides) -> PoolSession:
    now = timezone.now()
    values = dict(
        pool=pool,
        session_id=f"sess-{pool.pk}-{n}",
        user_id=f"user{n}@example.com",
        instance_id=f"i-0{n:016x}",
        ip_address=f"10.200.0.{n % 250}",
        authentication_type="SAML",
        connection_state="CONNECTED",
        session_start=now - timedelta(minutes=n),
        expiration_time=now + timedelta(hours=8),
        first_seen_at=now,
        last_seen_at=now,
    )
    values.update(overrides)
    return PoolSession.objects.create(**values)
