"""Benchmark 5: browsing 1,000 vs 100,000 devices, bulk-created into a scratch
SQLite database, with Django's test Client as a signed-in superuser.

`run(ctx)` (in `python -m bench`'s process) starts this module as a child on a
scratch database; the child (`main`) migrates, creates the data, requests
every page at the small size, grows the data to the large size and requests
them again, and prints JSON. URL names are found at run time (namespace
`devices`, and `home`), and the filter, sort and search parameters are read
from the devices page's own form and links: a page or control that does not
exist yet is reported as not measured, never a crash.
"""

from __future__ import annotations

import json
import os
import sys
import time
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from .common import PY, base_env, fmt_s, median, raw, run_timed, sqlite_url

ROWS = (
    "devices page, default",
    "devices page, filtered",
    "devices page, sorted",
    "devices page, searched",
    "device page",
    "overview (home)",
)


def run(ctx) -> None:
    res = ctx.results
    sizes = (200, 2_000) if ctx.quick else (1_000, 100_000)
    reps = 1 if ctx.quick else 5
    db = ctx.scratch.path("browsing.sqlite3")
    proc = run_timed(
        [PY, "-m", "bench.browsing", ",".join(map(str, sizes)), str(reps)],
        base_env(DATABASE_URL=sqlite_url(db)),
        timeout=1200,
    ).check("browsing driver")
    out = proc.json()
    small, large = (out["sizes"][str(s)] for s in sizes)
    res.raw["5 data creation seconds"] = out["created_seconds"]
    for name in [*ROWS, *sorted(k for k in large if k.startswith("export"))]:
        a, b = small.get(name), large.get(name)
        what = f"Browsing {sizes[1]:,} vs {sizes[0]:,} devices: {name}"
        if not a or not b or a.get("missing") or b.get("missing"):
            res.add(
                "5", what, f"not measured: {(a or b or {}).get('missing') or 'page not built yet'}"
            )
            continue
        ratio = median(b["seconds"]) / median(a["seconds"])
        same_q = a["queries"] == b["queries"]
        res.raw[f"5 {name} seconds at {sizes[0]} / {sizes[1]}"] = (
            f"{raw(a['seconds'], 4)} / {raw(b['seconds'], 4)}"
        )
        in_execute = f"5 {name} at {sizes[1]}: time in execute() of its {b['queries']} statements"
        res.raw[f"{in_execute}, slowest three"] = f"{b['db_seconds']:.3f} s; " + " | ".join(
            b["slowest"]
        )
        text = (
            f"{a['url']} — {sizes[0]:,}: {fmt_s(a['seconds'])}, {a['queries']} queries; "
            f"{sizes[1]:,}: {fmt_s(b['seconds'])}, {b['queries']} queries; "
            f"**time ×{ratio:.2f}**"
        )
        if name.startswith("export"):
            per = (median(b["seconds"]) / b["rows"]) / (median(a["seconds"]) / a["rows"])
            text += f"; {b['rows']:,} rows, {b['bytes'] / 1e6:.1f} MB; **per row ×{per:.2f}**"
            res.add(
                "5",
                what,
                text,
                "queries equal; time per row ×≤2 (a full export is linear)",
                same_q and per <= 2,
            )
        else:
            res.add("5", what, text, "queries equal; time ×≤2", same_q and ratio <= 2)


# -- the child ---------------------------------------------------------------------
class _Page(HTMLParser):
    """The controls of the devices page: inputs, selects with their options, links."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict] = []
        self.selects: dict[str, list[str]] = {}
        self.links: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            self.inputs.append(a)
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select and a.get("value"):
            self.selects[self._select].append(a["value"])
        elif tag == "a" and a.get("href", "").startswith("?"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _controls(html: str, search_term: str) -> dict[str, str | None]:
    """Query strings for the filtered, sorted and searched views, found on the page."""
    page = _Page()
    page.feed(html)
    search = next(
        (i["name"] for i in page.inputs if i.get("type") == "search" and i.get("name")), None
    )
    search = search or next(
        (i["name"] for i in page.inputs if i.get("name") in ("q", "search", "query")), None
    )
    sorts = [
        (k, v)
        for href in page.links
        for k, v in parse_qsl(urlsplit(href).query)
        if k in ("sort", "o", "ordering")
    ]
    sort = next((f"{k}={v}" for k, v in sorts if v.lstrip("-") == "disk_image"), None)
    sort = sort or (f"{sorts[1][0]}={sorts[1][1]}" if len(sorts) > 1 else None)
    facets = [n for n in ("instance_size", "pool_type", "state", "region") if page.selects.get(n)]
    flt = f"{facets[0]}={page.selects[facets[0]][0]}" if facets else None
    return {
        "filtered": flt,
        "sorted": sort,
        "searched": f"{search}={search_term}" if search else None,
    }


def _measure(client, url: str, reps: int) -> dict:
    from django.db import connection

    statements: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, " ".join(sql.split())[:90]))

    seconds = []
    for i in range(reps + 1):  # the first request is a warm-up
        statements.clear()
        start = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            return {"missing": f"HTTP {response.status_code} for {url}"}
        if i:
            seconds.append(elapsed)
    in_db = sum(
        t for t, _ in statements
    )  # of the last request (a streamed cursor's fetches excluded)
    slowest = [f"{t * 1000:.0f} ms: {sql}" for t, sql in sorted(statements, reverse=True)[:3]]
    return {
        "url": url,
        "seconds": seconds,
        "queries": len(statements),
        "bytes": len(body),
        "body": body,
        "db_seconds": in_db,
        "slowest": slowest,
    }


def main(sizes: list[int], reps: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.local")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import NoReverseMatch, get_resolver, reverse

    from . import browsing_data

    call_command("migrate", "--noinput", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    resolver = get_resolver()
    names = []
    if "devices" in resolver.namespace_dict:
        names = [
            k for k in resolver.namespace_dict["devices"][1].reverse_dict if isinstance(k, str)
        ]
    out: dict = {"names": names, "sizes": {}, "created_seconds": {}}
    data = browsing_data.Data()
    plain = {
        "default": "django.core.files.storage.FileSystemStorage",
        "staticfiles": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    for size in sizes:
        start = time.perf_counter()
        data.grow(size)
        out["created_seconds"][size] = round(time.perf_counter() - start, 2)
        pages: dict = {}
        with override_settings(STORAGES={k: {"BACKEND": v} for k, v in plain.items()}):
            try:
                listing = reverse("devices:list") if "list" in names else None
            except NoReverseMatch:
                listing = None
            if listing:
                default = _measure(client, listing, reps)
                pages["devices page, default"] = default
                found = _controls(
                    default.get("body", b"").decode(errors="replace"), data.search_term
                )
                for kind, qs in found.items():
                    pages[f"devices page, {kind}"] = (
                        _measure(client, f"{listing}?{qs}", reps)
                        if qs
                        else {"missing": f"no {kind} control found on the devices page"}
                    )
            else:
                for row in ROWS[:4]:
                    pages[row] = {"missing": "page not built yet (no URL name devices:list)"}
            detail = next((n for n in names if n in ("detail", "device")), None)
            pages["device page"] = (
                _measure(client, reverse(f"devices:{detail}", args=[data.first_pk]), reps)
                if detail
                else {"missing": "page not built yet (no URL name devices:detail)"}
            )
            try:
                pages["overview (home)"] = _measure(client, reverse("home"), reps)
            except NoReverseMatch:
                pages["overview (home)"] = {"missing": "page not built yet (no URL name home)"}
            exports = [n for n in names if "export" in n] or []
            for name in exports:
                m = _measure(client, reverse(f"devices:{name}"), min(reps, 3))
                m["rows"] = data.active
                pages[f"export ({name})"] = m
            if not exports:
                pages["export (full)"] = {
                    "missing": "page not built yet (no export URL name in devices)"
                }
        for page in pages.values():
            page.pop("body", None)
        out["sizes"][str(size)] = pages
    return out


if __name__ == "__main__":
    result = main([int(s) for s in sys.argv[1].split(",")], int(sys.argv[2]))
    print(json.dumps(result))
