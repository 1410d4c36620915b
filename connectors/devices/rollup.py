"""The devices rollup (connectors/models/rollup.py): refreshed on beat every
minute (`device_rollup_refresh`, when devices changed or a run ended since the
last build) and by the `rebuild_device_rollup` command; read by NQL's
summaries (nql/rollup.py). Not inside a run: the recount is a GROUP BY over
every active device, which would lengthen every sync (benchmark 1 measures a
sync against the bare API floor); until the next refresh, summaries scan.

Build: ONE GROUP BY over the active devices by every dimension (the full
cube), then, in Python, every grouping set of at most two dimensions (and the
empty set) summed from it; all rows replaced in one transaction. The cube
itself is stored too, as the fallback for queries touching three dimensions
or more, unless it is large and barely smaller than the fleet (then reading
it would cost about what scanning the devices costs; those queries scan).

Freshness. The build stores `devices_version()` (connectors/devices/cache.py)
read BEFORE its GROUP BY, and a query uses the rollup only while the stored
version equals `devices_version()` read when the query runs; otherwise it
scans the devices (always correct, slower). Why a query never gets a stale
answer from it:
- Every write to devices changes the version (a device stored, updated or
  confirmed moves MAX(last_update) or MAX(id); a removal MAX(removed_at); a
  connector added or deleted the connectors' count or highest id).
- The GROUP BY runs after the version was read, so it sees at least the
  devices of that version. A write committed between the two reads is either
  counted (the rows are newer than the stored version says: the version
  already differs from the devices', the rollup goes unused until the next
  build) or not yet committed when the GROUP BY read (then its commit changes
  the version: unused again). Either way a mismatch, a scan, never a stale
  count. Had the version been read after the GROUP BY, a write committed in
  between would be in the version but not in the counts: a stale answer.
- Rebuilds are serialized by the lock on the build row, and replace the rows
  and the version together in one transaction, so a reader sees one build's
  rows and version or the other's. (On SQLite the first write of the
  transaction takes the database's write lock: no device write commits
  during a build at all.)
The one case the version cannot see is the one the Devices page's cached
counts share: a batch whose timestamps and ids are all below maxima already
committed (two connectors' runs writing at once, the earlier-timed batch
committing last, after a build). Its run then ends after that build began
(a run's finished_at is set after its last batch committed), and the refresh
rebuilds whenever a run ended since the last build began, whether or not the
version moved: the window is bounded by that run's end and the next tick.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from itertools import combinations

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ..models import Device, DeviceRollup, DeviceRollupBuild, Run
from ..models.rollup import CUBE, ROLLUP_DIMENSIONS, grouping_key
from .cache import devices_version

log = logging.getLogger(__name__)

ACTIVE = Q(removed_at__isnull=True)  # the rows NQL's devices table reads (nql/tables.py)
MAX_SET_SIZE = 2  # grouping sets of up to this many dimensions are stored
# The cube is always stored up to this many rows; beyond, only when it has at most
# CUBE_MAX_SHARE rows per active device (else reading it costs about a scan).
CUBE_ALWAYS_ROWS = 10_000
CUBE_MAX_SHARE = 0.5
INSERT_BATCH = 2000
BUILD_PK = 1


def _columns() -> list[str]:
    return ["connector_id" if d == "connector" else d for d in ROLLUP_DIMENSIONS]


def _lock() -> DeviceRollupBuild:
    DeviceRollupBuild.objects.bulk_create([DeviceRollupBuild(pk=BUILD_PK)], ignore_conflicts=True)
    return DeviceRollupBuild.objects.select_for_update().get(pk=BUILD_PK)


def _grouping_sets(cube: list[tuple]) -> dict[str, dict[tuple, int]]:
    """Counts per grouping set of at most MAX_SET_SIZE dimensions, from the cube's rows
    (dimension values..., n). Each dimension's values are numbered; single dimensions
    are summed from the cube, then each pair of dimensions that both vary over the
    fleet (one pass over the cube each), and a pair with a constant dimension from
    the other's single set."""
    k = len(ROLLUP_DIMENSIONS)
    if not cube:
        return {grouping_key(ROLLUP_DIMENSIONS[i] for i in dims): {} for dims in _sets(k)}
    columns = list(zip(*cube, strict=True))
    counts = columns[k]
    values: list[list] = []  # per dimension: its distinct values, by number
    coded: list[list[int]] = []  # per dimension: each cube row's value number
    singles: list[list[int]] = []  # per dimension: the count of each value number
    for i in range(k):
        numbers = {v: c for c, v in enumerate(dict.fromkeys(columns[i]))}
        codes = list(map(numbers.__getitem__, columns[i]))
        acc = [0] * len(numbers)
        for code, n in zip(codes, counts, strict=True):
            acc[code] += n
        values.append(list(numbers))
        coded.append(codes)
        singles.append(acc)
    out: dict[str, dict[tuple, int]] = {"": {(): sum(counts)}}
    for i in range(k):
        out[grouping_key((ROLLUP_DIMENSIONS[i],))] = {
            (values[i][c],): n for c, n in enumerate(singles[i])
        }
    for i, j in combinations(range(k), 2):
        key = grouping_key((ROLLUP_DIMENSIONS[i], ROLLUP_DIMENSIONS[j]))
        if len(values[i]) == 1 or len(values[j]) == 1:
            vi, vj = values[i], values[j]
            if len(vi) == 1:
                out[key] = {(vi[0], vj[c]): n for c, n in enumerate(singles[j])}
            else:
                out[key] = {(vi[c], vj[0]): n for c, n in enumerate(singles[i])}
            continue
        width = len(values[j])
        acc = defaultdict(int)
        for code, n in zip(
            [a * width + b for a, b in zip(coded[i], coded[j], strict=True)], counts, strict=True
        ):
            acc[code] += n
        out[key] = {(values[i][c // width], values[j][c % width]): n for c, n in acc.items()}
    return out


def _sets(k: int):
    yield ()
    for size in range(1, MAX_SET_SIZE + 1):
        yield from combinations(range(k), size)


def _rows(key: str, dims: tuple[str, ...], counts: dict[tuple, int]):
    columns = ["connector_id" if d == "connector" else d for d in dims]
    for values, n in counts.items():
        if n:
            yield DeviceRollup(grouping=key, n=n, **dict(zip(columns, values, strict=True)))


def device_rollup_rebuild(*, only_if_stale: bool = False) -> DeviceRollupBuild:
    """Recount the active devices into the rollup (one transaction). With
    only_if_stale, do nothing when the stored build is of the devices' version now and
    no run has ended since it began."""
    started = time.perf_counter()
    with transaction.atomic():
        build = _lock()
        began = timezone.now()  # a run ending from now on is recounted by the next refresh
        version = devices_version()  # BEFORE the GROUP BY: see the module's docstring
        if only_if_stale and build.version == version and not _runs_ended_since(build.built_at):
            return build
        cube = list(
            Device.objects.filter(ACTIVE)
            .order_by()
            .values_list(*_columns())
            .annotate(n=Count("pk"))
        )
        devices = sum(row[-1] for row in cube)
        sets = _grouping_sets(cube)
        keep_cube = len(cube) <= max(CUBE_ALWAYS_ROWS, CUBE_MAX_SHARE * devices)
        if keep_cube:
            sets[CUBE] = {row[:-1]: row[-1] for row in cube}
        DeviceRollup.objects.all().delete()
        rows = 0
        for key, counts in sets.items():
            dims = ROLLUP_DIMENSIONS if key == CUBE else tuple(d for d in key.split(",") if d)
            created = DeviceRollup.objects.bulk_create(
                _rows(key, dims, counts), batch_size=INSERT_BATCH
            )
            rows += len(created)
        build.version, build.built_at, build.devices = version, began, devices
        build.rows, build.has_cube = rows, keep_cube
        build.seconds = round(time.perf_counter() - started, 3)
        build.save()
    log.info(
        "device rollup: %s devices in %s rows (cube %s, %s rows) in %.2f s",
        devices,
        rows,
        "kept" if keep_cube else "not kept",
        len(cube),
        build.seconds,
    )
    return build


def device_rollup_refresh() -> DeviceRollupBuild | None:
    """On beat every minute: rebuild the rollup if devices changed (their version moved)
    or a run ended since the last build began. Never raises: a failure is logged, and
    summaries scan the devices until a refresh succeeds."""
    try:
        return device_rollup_rebuild(only_if_stale=True)
    except Exception:
        log.exception("device rollup: refreshing it failed")
        return None


def _runs_ended_since(at) -> bool:
    return at is None or Run.objects.filter(finished_at__gte=at).exists()


def device_rollup_state() -> tuple[str, bool] | None:
    """(the devices' version the rollup counts, whether the full cube is stored), or None
    when it was never built. One small query."""
    return (
        DeviceRollupBuild.objects.filter(pk=BUILD_PK, built_at__isnull=False)
        .values_list("version", "has_cube")
        .first()
    )
