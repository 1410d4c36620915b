"""`nql.ast.Query` to a Django ORM query (never SQL text from the query).

Every check that needs the table (field names, types, enum values, what a
clause may follow) happens here and fails with an `NqlError` at the position
of the offending name or value. The result is a `Plan` that nql/runner.py
executes within bounds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Count, F, FloatField, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, NullIf, Upper
from django.db.models.lookups import Exact
from django.utils import timezone

from . import ast as a
from .parser import parse
from .plan import Column, Plan, type_words
from .summarize import summarize_plan
from .tables import DATETIME, ENUM, NUMERIC, STRING, NqlField, NqlTable, table_get, table_suggest

PARAM_VALUE_MAX = 1000
OPS_ORDERED = ("<", "<=", ">", ">=")


# --- values -----------------------------------------------------------------


def _aware(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class _AnyParams(dict):
    """Bind every $name to a value of whatever type its field needs (checking
    a saved query's shape before any caller gives values)."""


ANY_PARAMS = _AnyParams()


def _bind(lit: a.Literal, params: Mapping[str, object] | None) -> a.Literal:
    if lit.kind != "param":
        return lit
    if params is ANY_PARAMS:
        return a.Literal("pany", None, lit.pos)
    if params is None or lit.value not in params:
        raise a.NqlError(f"the parameter ${lit.value} has no value", lit.pos)
    value = params[lit.value]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise a.NqlError(f"the parameter ${lit.value} must be a string or a number", lit.pos)
    if isinstance(value, str):
        if len(value) > PARAM_VALUE_MAX or re.search(r"[\x00-\x1f\x7f]", value):
            raise a.NqlError(
                f"the parameter ${lit.value} must be at most {PARAM_VALUE_MAX} characters "
                "without line breaks or control characters",
                lit.pos,
            )
        return a.Literal("pstring", value, lit.pos)
    # A number is a value like a string's text, typed by the field it is
    # compared with: 42 matches the string "42", 10 the number 10.
    return a.Literal("pstring", str(value), lit.pos)


def _describe(lit: a.Literal) -> str:
    return {
        "string": f'the string "{lit.value}"',
        "pstring": f'the parameter value "{lit.value}"',
        "bare": f"the bare word {lit.value}",
        "int": f"the number {lit.value}",
        "float": f"the number {lit.value}",
        "duration": f"the duration {lit.value}",
        "datetime": f"the date and time {lit.value}",
        "date": f"the date {lit.value}",
    }.get(lit.kind, str(lit.value))


def _coerce(f: NqlField, lit: a.Literal):
    """The Python value to compare field `f` with, or an NqlError at the value."""
    kind, value = lit.kind, lit.value
    if kind == "pany":
        sample = {STRING: "x", ENUM: f.enum[0] if f.enum else "x", DATETIME: timezone.now()}
        return sample.get(f.type, 0)
    if f.type == STRING:
        if kind in ("string", "pstring"):
            return value
        if kind == "bare":
            raise a.NqlError(f'{f.name} is a string: write the value quoted, "{value}"', lit.pos)
    elif f.type == ENUM:
        if kind in ("string", "pstring", "bare"):
            if "*" in value or "?" in value:
                return value
            match = next((v for v in f.enum if v.lower() == value.lower()), None)
            if match is None:
                raise a.NqlError(
                    f"{value} is not a value of {f.name}: expected one of {', '.join(f.enum)}",
                    lit.pos,
                )
            return match
    elif f.type in NUMERIC:
        if kind in ("int", "float"):
            return value
        if kind == "pstring" and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return float(value) if "." in value else int(value)
    elif f.type == DATETIME:
        if kind in ("datetime", "date"):
            return _aware(value)
        if kind == "pstring":
            for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
                try:
                    return _aware(datetime.strptime(value.replace("T", " "), fmt))
                except ValueError:
                    continue
    raise a.NqlError(
        f"{f.name} is {type_words(f.type)} and cannot be compared with {_describe(lit)}", lit.pos
    )


def _pattern_q(f: NqlField, value: str) -> Q:
    """Case-insensitive match with * (any run) and ? (one character)."""
    path = f.path
    if "*" not in value and "?" not in value:
        if f.type == ENUM:
            return Q(**{path: value})  # _coerce returned the stored value, exactly as spelled
        if f.upper_indexed:
            # The same match as iexact (PostgreSQL's iexact is this very UPPER() = UPPER()),
            # written so that the UPPER(column) index answers it on both databases.
            return Q(Exact(Upper(path), Upper(Value(value, output_field=CharField()))))
        return Q(**{f"{path}__iexact": value})
    inner = value.strip("*")
    if "?" not in value and "*" not in inner and inner:
        starts, ends = not value.startswith("*"), not value.endswith("*")
        if starts:
            return Q(**{f"{path}__istartswith": inner})
        if ends:
            return Q(**{f"{path}__iendswith": inner})
        return Q(**{f"{path}__icontains": inner})
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value)
    return Q(**{f"{path}__iregex": f"^{regex}$"})


# --- conditions ---------------------------------------------------------------


class Compiler:
    """Compiles a query's names, conditions and aggregates against one table's rows.
    nql/rollup.py subclasses it to count from the devices rollup instead."""

    def __init__(self, table: NqlTable, params, now: datetime) -> None:
        self.table, self.params, self.now = table, params, now

    def field(self, ref: a.FieldRef) -> NqlField:
        f = self.table.field(ref.name)
        if f is None:
            also = _did_you_mean(self.table.suggest(ref.name))
            raise a.NqlError(
                f'unknown field "{ref.name}" in table {self.table.name}{also}', ref.pos
            )
        if ref.function == "time_elapsed" and f.type != DATETIME:
            raise a.NqlError(f"time_elapsed() needs a datetime field; {f.name} is not one", ref.pos)
        return f

    def q(self, node) -> Q:
        if isinstance(node, a.And):
            result = Q()
            for item in node.items:
                result &= self.q(item)
            return result
        if isinstance(node, a.Or):
            result = self.q(node.items[0])
            for item in node.items[1:]:
                result |= self.q(item)
            return result
        if isinstance(node, a.Not):
            return ~self.q(node.item)
        if isinstance(node, a.InList):
            result = Q(pk__in=[])
            for lit in node.values:
                result |= self.compare(a.Compare(node.left, "==", lit))
            return ~result if node.negated else result
        return self.compare(node)

    def compare(self, node: a.Compare) -> Q:
        f = self.field(node.left)
        lit = _bind(node.right, self.params)
        op = node.op
        if node.left.function == "time_elapsed":
            return self._elapsed(f, op, lit)
        if lit.kind == "null":
            if op not in ("==", "!="):
                raise a.NqlError(f"null can only be compared with == or !=, not {op}", lit.pos)
            q = Q(**{f"{f.path}__isnull": True})
            if f.type in (STRING, ENUM):
                q |= Q(**{f.path: ""})
            return q if op == "==" else ~q
        value = _coerce(f, lit)
        if f.type in (STRING, ENUM):
            if op not in ("==", "!="):
                raise a.NqlError(
                    f"{op} compares numbers and dates; {f.name} is {type_words(f.type)}: "
                    "use == or !=",
                    node.left.pos,
                )
            q = _pattern_q(f, value)
            return q if op == "==" else ~q
        lookups = {"==": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
        if op == "!=":
            return ~Q(**{f.path: value})
        return Q(**{f"{f.path}__{lookups[op]}": value})

    def _elapsed(self, f: NqlField, op: str, lit: a.Literal) -> Q:
        if lit.kind == "duration":
            seconds = lit.value.seconds
        elif lit.kind == "int":
            seconds = lit.value
        elif lit.kind == "pany":
            seconds = 0
        elif lit.kind == "pstring" and lit.value.isascii() and lit.value.isdigit():
            seconds = int(lit.value)
        elif lit.kind == "pstring" and re.fullmatch(r"\d+(min|h|d)", lit.value):
            amount, unit = re.fullmatch(r"(\d+)(min|h|d)", lit.value).groups()
            seconds = a.Duration(int(amount), unit).seconds
        else:
            raise a.NqlError(
                f"time_elapsed() is a duration: compare it with a duration such as 2d, not "
                f"{_describe(lit)}",
                lit.pos,
            )
        moment = self.now - timedelta(seconds=seconds)
        # elapsed > D  <=>  the moment is before now - D (a null moment matches nothing).
        flipped = {"==": "exact", ">": "lt", ">=": "lte", "<": "gt", "<=": "gte"}
        if op == "!=":
            return ~Q(**{f.path: moment})
        return Q(**{f"{f.path}__{flipped[op]}": moment})

    # --- time selection
    def timeframe(self, tf) -> Q:
        path = self.table.field(self.table.time_field).path
        if isinstance(tf, a.During):
            if tf.duration.unit == "d":
                today = timezone.localtime(self.now).replace(
                    hour=0, minute=0, second=0, microsecond=0
                )
                start = today - timedelta(days=tf.duration.amount - 1)
            else:
                start = self.now - timedelta(seconds=tf.duration.seconds)
            return Q(**{f"{path}__gte": start})
        if isinstance(tf, a.On):
            start = _aware(tf.day.value)
            return Q(**{f"{path}__gte": start, f"{path}__lt": start + timedelta(days=1)})
        start = _aware(tf.start.value)
        end = _aware(tf.end.value)
        if tf.end.kind == "date":
            end += timedelta(days=1)  # a whole day: "to 2026-11-08" includes the 8th
        if end <= start:
            raise a.NqlError("the end of the time selection must come after its start", tf.end.pos)
        return Q(**{f"{path}__gte": start, f"{path}__lt": end})

    # --- summarize
    def agg_type(self, node) -> str:
        """The type of an aggregate expression (checked as it goes)."""
        if isinstance(node, a.Num):
            return "float" if isinstance(node.value, float) else "int"
        if isinstance(node, a.Arith):
            for side in (node.left, node.right):
                if self.agg_type(side) not in NUMERIC:
                    raise a.NqlError(f"{node.op} needs numbers on both sides", self._pos(side))
            return "float" if node.op == "/" else "int"
        if node.func in ("count", "countif"):
            if node.cond is not None:
                self.q(node.cond)  # checked now, compiled again where used
            return "int"
        f = self.field(node.field)
        if node.func in ("sum", "avg") and f.type not in NUMERIC:
            raise a.NqlError(
                f"{node.func}() needs a number field; {f.name} is {type_words(f.type)}", node.pos
            )
        if node.func in ("min", "max") and f.type not in (*NUMERIC, DATETIME):
            raise a.NqlError(
                f"{node.func}() needs a number or datetime field; {f.name} is {type_words(f.type)}",
                node.pos,
            )
        return "float" if node.func == "avg" else f.type

    def _pos(self, node) -> a.Pos | None:
        if isinstance(node, a.Agg):
            return node.pos
        if isinstance(node, a.Arith):
            return self._pos(node.left)
        return None

    def db_expr(self, node):
        """An aggregate expression the database computes per group."""
        if isinstance(node, a.Num):
            return Value(node.value)
        if isinstance(node, a.Arith):
            left, right = self.db_expr(node.left), self.db_expr(node.right)
            if node.op == "/":
                return Cast(left, FloatField()) / NullIf(Cast(right, FloatField()), Value(0.0))
            return {"+": left + right, "-": left - right, "*": left * right}[node.op]
        if node.func in ("count", "countif"):
            return self.count(node.cond)
        f = self.field(node.field)
        if node.func == "avg":
            return Cast(Sum(f.path), FloatField()) / NullIf(
                Cast(Count(f.path), FloatField()), Value(0.0)
            )
        return {"sum": Sum, "min": Min, "max": Max}[node.func](f.path)

    def count(self, cond) -> Count:
        """count() (cond None) or countif(cond) per group."""
        return Count("pk") if cond is None else Count("pk", filter=self.q(cond))

    def primitives(self, node, out: dict, annotations: dict) -> None:
        """Per-bucket parts of each aggregate, for folding buckets in Python."""
        if isinstance(node, a.Arith):
            self.primitives(node.left, out, annotations)
            self.primitives(node.right, out, annotations)
            return
        if not isinstance(node, a.Agg):
            return
        parts = []
        if node.func == "avg":
            f = self.field(node.field)
            wanted = [("sum", Sum(f.path)), ("count", Count(f.path))]
        elif node.func in ("count", "countif"):
            wanted = [("count", self.db_expr(node))]
        else:
            wanted = [(node.func, self.db_expr(node))]
        for kind, expr in wanted:
            key = f"_p{len(annotations)}"
            annotations[key] = expr
            parts.append((kind, key))
        out[id(node)] = parts


def compile_query(
    text_or_query: str | a.Query,
    *,
    params: Mapping[str, object] | None = None,
    now: datetime | None = None,
    rows: tuple[type[Compiler], QuerySet] | None = None,
) -> Plan:
    """`rows`: a compiler class and the rows it reads instead of the table's own (the
    devices rollup answering a summary: nql/rollup.py)."""
    query = parse(text_or_query) if isinstance(text_or_query, str) else text_or_query
    table = table_get(query.table)
    if table is None:
        also = _did_you_mean(table_suggest(query.table))
        raise a.NqlError(f'unknown table "{query.table}"{also}', query.table_pos)
    now = now or timezone.now()
    compiler, qs = rows or (Compiler, table.queryset())
    c = compiler(table, params, now)
    if query.timeframe is not None:
        qs = qs.filter(c.timeframe(query.timeframe))

    summarize: a.Summarize | None = None
    list_clause: a.ListClause | None = None
    sort: a.Sort | None = None
    limit: a.Limit | None = None
    for clause in query.clauses:
        if isinstance(clause, a.Where):
            if summarize is not None:
                raise a.NqlError(
                    "where after summarize is not supported: filter before summarizing",
                    _first_pos(clause.cond),
                )
            qs = qs.filter(c.q(clause.cond))
        elif isinstance(clause, a.Summarize):
            if summarize is not None:
                raise a.NqlError("only one summarize per query", clause.metrics[0].pos)
            if list_clause is not None or sort is not None or limit is not None:
                raise a.NqlError(
                    "summarize must come before list, sort and limit", clause.metrics[0].pos
                )
            summarize = clause
        elif isinstance(clause, a.ListClause):
            list_clause = clause
        elif isinstance(clause, a.Sort):
            sort = clause
        elif isinstance(clause, a.Limit):
            limit = clause
            if clause.count < 1:
                raise a.NqlError("limit must be at least 1", clause.pos)

    limit_n = limit.count if limit else None
    limit_pos = limit.pos if limit else None
    if summarize is None:
        return _list_plan(c, qs, list_clause, sort, limit_n, limit_pos)
    return summarize_plan(c, qs, summarize, list_clause, sort, limit_n, limit_pos)


def _did_you_mean(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return f"; did you mean {names[0]}?"
    return f"; did you mean {', '.join(names[:-1])} or {names[-1]}?"


def _first_pos(node) -> a.Pos | None:
    if isinstance(node, a.And | a.Or):
        return _first_pos(node.items[0])
    if isinstance(node, a.Not):
        return _first_pos(node.item)
    return node.left.pos


def _list_plan(c: Compiler, qs, list_clause, sort, limit, limit_pos) -> Plan:
    table = c.table
    refs = (
        list_clause.columns
        if list_clause
        else tuple(a.FieldRef(name, a.Pos(1, 1)) for name in table.default_list)
    )
    columns, seen = [], set()
    for ref in refs:
        f = c.field(ref)
        header = f"{f.name}.{ref.function}()" if ref.function else f.name
        if header in seen:
            continue
        seen.add(header)
        columns.append(
            Column(header, f.path, "int" if ref.function else f.type, bool(ref.function))
        )
    if sort is not None:
        f = c.field(sort.field)
        order = (
            F(f.path).desc(nulls_last=True) if sort.descending else F(f.path).asc(nulls_last=True)
        )
        unique = [o.lstrip("-") for o in table.default_order if o.lstrip("-") in ("id", "pk")]
        qs = qs.order_by(order, *(unique or ["pk"]))
    else:
        qs = qs.order_by(*table.default_order)
    qs = qs.values(*dict.fromkeys(col.key for col in columns))
    return Plan(table, "list", qs, columns, limit, limit_pos, c.now)
