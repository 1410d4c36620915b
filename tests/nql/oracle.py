"""A plain-Python evaluation of a parsed NQL query over plain records: the
property tests compare the compiler's database answers with it. It shares
only the parser (its own grammar table tests it) with the code under test."""

from __future__ import annotations

from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from django.utils import timezone

from nql import ast as a


def _like(value: str, pattern: str) -> bool:
    escaped = pattern.lower().replace("[", "[[]")
    return fnmatchcase(value.lower(), escaped)


def _literal(lit: a.Literal):
    if lit.kind in ("datetime", "date"):
        value = lit.value
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        return timezone.make_aware(value)
    return lit.value


def holds(cond, record: dict, now: datetime) -> bool:
    if isinstance(cond, a.And):
        return all(holds(c, record, now) for c in cond.items)
    if isinstance(cond, a.Or):
        return any(holds(c, record, now) for c in cond.items)
    if isinstance(cond, a.Not):
        return not holds(cond.item, record, now)
    if isinstance(cond, a.InList):
        found = any(holds(a.Compare(cond.left, "==", v), record, now) for v in cond.values)
        return not found if cond.negated else found
    value = record[cond.left.name]
    lit = cond.right
    if cond.left.function == "time_elapsed":
        if value is None:
            return cond.op == "!="
        elapsed = (now - value).total_seconds()
        limit = lit.value.seconds if lit.kind == "duration" else lit.value
        return _ordered(elapsed, cond.op, limit)
    if lit.kind == "null":
        is_null = value is None or value == ""
        return is_null if cond.op == "==" else not is_null
    if isinstance(value, str) or value is None and lit.kind in ("string", "bare"):
        matched = value is not None and _like(value, str(lit.value))
        return matched if cond.op == "==" else not matched
    other = _literal(lit)
    if value is None:
        return cond.op == "!="
    return _ordered(value, cond.op, other)


def _ordered(left, op: str, right) -> bool:
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def _plain(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return round(value, 6)
    return value


def _agg(node, group: list[dict], now: datetime):
    if isinstance(node, a.Num):
        return node.value
    if isinstance(node, a.Arith):
        left, right = _agg(node.left, group, now), _agg(node.right, group, now)
        if left is None or right is None:
            return None
        if node.op == "/":
            return None if right == 0 else left / right
        return {"+": left + right, "-": left - right, "*": left * right}[node.op]
    if node.func == "count":
        return len(group)
    if node.func == "countif":
        return sum(1 for r in group if holds(node.cond, r, now))
    values = [r[node.field.name] for r in group if r[node.field.name] is not None]
    if node.func == "sum":
        return sum(values) if values else None
    if node.func == "avg":
        return sum(values) / len(values) if values else None
    if not values:
        return None
    return min(values) if node.func == "min" else max(values)


def _ordered_rows(rows: list, key, descending: bool) -> list:
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=key, reverse=descending)
    return present + missing


def evaluate(query: a.Query, records: list[dict], *, now: datetime, time_field: str, bound: int):
    """(headers, rows) as the console would show them; records carry "_id"."""
    rows = [r for r in records if _in_time(query.timeframe, r[time_field], now)]
    summarize = sort = limit = listing = None
    for clause in query.clauses:
        if isinstance(clause, a.Where):
            rows = [r for r in rows if holds(clause.cond, r, now)]
        elif isinstance(clause, a.Summarize):
            summarize = clause
        elif isinstance(clause, a.Sort):
            sort = clause
        elif isinstance(clause, a.Limit):
            limit = clause.count
        elif isinstance(clause, a.ListClause):
            listing = clause
    cap = limit or bound
    if summarize is None:
        names = [c.name for c in listing.columns]
        rows = sorted(rows, key=lambda r: (r["name"], r["_id"]))
        if sort is not None:
            rows = sorted(rows, key=lambda r: r["_id"])
            rows = _ordered_rows(rows, lambda r: r[sort.field.name], sort.descending)
        return names, [[_plain(r[n]) for n in names] for r in rows[:cap]]
    keys = [f.name for f in summarize.by_fields]
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    if not keys and not groups:
        groups[()] = []  # a summary of nothing is one row (count() = 0)
    out = []
    for key_values, group in groups.items():
        metrics = {m.alias: _agg(m.expr, group, now) for m in summarize.metrics}
        out.append((key_values, metrics))
    out.sort(key=lambda item: item[0])
    if sort is not None:
        name = sort.field.name
        if name in keys:
            index = keys.index(name)
            out = _ordered_rows(out, lambda item: item[0][index], sort.descending)
        else:
            out = _ordered_rows(out, lambda item: item[1][name], sort.descending)
    headers = keys + [m.alias for m in summarize.metrics]
    table = [
        [_plain(v) for v in kv] + [_plain(m[h]) for h in headers[len(keys) :]] for kv, m in out
    ]
    return headers, table[:cap]


def _in_time(timeframe, value: datetime | None, now: datetime) -> bool:
    if timeframe is None:
        return True
    if value is None:
        return False
    if isinstance(timeframe, a.During):
        if timeframe.duration.unit == "d":
            midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            return value >= midnight - timedelta(days=timeframe.duration.amount - 1)
        return value >= now - timedelta(seconds=timeframe.duration.seconds)
    raise NotImplementedError(type(timeframe))
