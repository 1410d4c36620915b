"""Text to `nql.ast.Query`, with Lark (LALR(1), grammar in grammar.lark).

Every failure is an `NqlError` naming the line, the column and what was
expected there, in words ("expected a field name after "where"")."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken
from lark.exceptions import VisitError

from . import ast as a

MAX_QUERY_LENGTH = 10_000
AGGREGATES = ("count", "countif", "sum", "avg", "min", "max")
FIELD_FUNCTIONS = ("time_elapsed",)

# Terminal names as a person reads them, in the order they are listed.
EXPECTED_WORDS = {
    "FIELD": "a field name",
    "STRING": 'a quoted string ("...")',
    "INT": "a whole number",
    "NUMBER": "a number",
    "DURATION": "a duration (15min, 2h, 7d)",
    "DATETIME": "a date and time (2026-11-28 10:15:00)",
    "DATE": "a date (2026-11-28)",
    "PARAM": "a $parameter",
    "CMP": "a comparison (==, !=, <, <=, >, >=)",
    "NOT_IN": '"!in"',
    "ADD": "+ or -",
    "MUL": "* or /",
    "VBAR": '"|"',
    "LPAR": '"("',
    "RPAR": '")"',
    "LSQB": '"["',
    "RSQB": '"]"',
    "COMMA": '","',
    "EQUAL": '"="',
    "$END": "the end of the query",
}
_ORDER = list(EXPECTED_WORDS)


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text()
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=False)


def _pos(token: Token) -> a.Pos:
    return a.Pos(token.line or 1, token.column or 1)


VALUE_WORDS = (
    "a value (a quoted string, a number, a duration such as 2d, a date, null, "
    "an enum value or a $parameter)"
)


def _words(expected: set[str]) -> str:
    if {"STRING", "PARAM", "NULL"} <= expected:
        return VALUE_WORDS
    words = []
    for name in sorted(expected, key=lambda n: (_ORDER.index(n) if n in _ORDER else 99, n)):
        if name in EXPECTED_WORDS:
            word = EXPECTED_WORDS[name]
        elif re.fullmatch(r"_?[A-Z]+", name):
            # Keywords are terminals named after their text (_WHERE, ASC, NULL...).
            word = f'"{name.lstrip("_").lower()}"'
        else:
            word = name
        if word not in words:
            words.append(word)
    if len(words) > 6:
        words = words[:6] + ["..."]
    return " or ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " or " + words[-1]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _parse_datetime(token: Token) -> datetime:
    text = str(token).replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise a.NqlError(f'"{token}" is not a real date and time', _pos(token))


def _parse_date(token: Token) -> date:
    try:
        return datetime.strptime(str(token), "%Y-%m-%d").date()
    except ValueError:
        raise a.NqlError(f'"{token}" is not a real date', _pos(token)) from None


def _duration(token: Token) -> a.Duration:
    match = re.fullmatch(r"(\d+)(min|h|d)", str(token))
    return a.Duration(int(match.group(1)), match.group(2))


def _field(token: Token, function: str | None = None) -> a.FieldRef:
    return a.FieldRef(str(token), _pos(token), function)


class _ToAst(Transformer):
    def start(self, items):
        table, *rest = items
        timeframe = None
        if rest and isinstance(rest[0], a.During | a.Between | a.On):
            timeframe, rest = rest[0], rest[1:]
        return a.Query(str(table), _pos(table), timeframe, tuple(rest))

    # --- time selection
    def during(self, items):
        return a.During(_duration(items[0]))

    def between(self, items):
        return a.Between(self._moment(items[0]), self._moment(items[1]))

    def on(self, items):
        return a.On(a.Literal("date", _parse_date(items[0]), _pos(items[0])))

    def _moment(self, token: Token) -> a.Literal:
        if token.type == "DATE":
            return a.Literal("date", _parse_date(token), _pos(token))
        return a.Literal("datetime", _parse_datetime(token), _pos(token))

    # --- clauses
    def where(self, items):
        return a.Where(items[0])

    def list(self, items):
        columns = tuple(c if isinstance(c, a.FieldRef) else _field(c) for c in items)
        return a.ListClause(columns, columns[0].pos)

    def sort(self, items):
        descending = len(items) > 1 and items[1].type == "DESC"
        return a.Sort(_field(items[0]), descending)

    def limit(self, items):
        return a.Limit(int(items[0]), _pos(items[0]))

    def summarize(self, items):
        metrics = tuple(i for i in items if isinstance(i, a.Metric))
        by = next((i for i in items if not isinstance(i, a.Metric)), None)
        if by is None:
            return a.Summarize(metrics)
        if isinstance(by, Token):
            return a.Summarize(metrics, by_time=_duration(by), by_time_pos=_pos(by))
        return a.Summarize(metrics, by_fields=by)

    def by_time(self, items):
        return items[0]

    def by_fields(self, items):
        return tuple(_field(t) for t in items)

    def metric(self, items):
        alias, expr = items
        if "." in alias:
            raise a.NqlError(
                f'"{alias}" cannot name a result: use letters, digits and underscores',
                _pos(alias),
            )
        return a.Metric(str(alias), _pos(alias), expr)

    # --- conditions
    def or_cond(self, items):
        return a.Or(tuple(items))

    def and_cond(self, items):
        return a.And(tuple(items))

    def not_(self, items):
        return a.Not(items[0])

    def call_field(self, items):
        token = items[0]
        name, _, function = str(token).rpartition(".")
        if not name or function not in FIELD_FUNCTIONS:
            raise a.NqlError(
                f'"{token}()" is not a field function: expected a field name, '
                f"or field.time_elapsed()",
                _pos(token),
            )
        return a.FieldRef(name, _pos(token), function)

    def comparison(self, items):
        left, op, right = items
        left = left if isinstance(left, a.FieldRef) else _field(left)
        return a.Compare(left, "==" if op == "=" else str(op), self._value(right))

    def in_list(self, items, negated=False):
        left, _, *values = items
        left = left if isinstance(left, a.FieldRef) else _field(left)
        return a.InList(left, tuple(self._value(v) for v in values), negated)

    def not_in_list(self, items):
        return self.in_list(items, negated=True)

    def _value(self, token: Token) -> a.Literal:
        pos = _pos(token)
        kind = token.type
        if kind == "STRING":
            return a.Literal("string", _unquote(str(token)), pos)
        if kind == "INT":
            return a.Literal("int", int(token), pos)
        if kind == "NUMBER":
            return a.Literal("float", float(token), pos)
        if kind == "DURATION":
            return a.Literal("duration", _duration(token), pos)
        if kind == "DATETIME":
            return a.Literal("datetime", _parse_datetime(token), pos)
        if kind == "DATE":
            return a.Literal("date", _parse_date(token), pos)
        if kind == "NULL":
            return a.Literal("null", None, pos)
        if kind == "PARAM":
            return a.Literal("param", str(token)[1:], pos, (token.start_pos, token.end_pos))
        return a.Literal("bare", str(token), pos)  # FIELD: an enum value written bare

    # --- summarize expressions
    def call(self, items):
        token, cond = items[0], items[1] if len(items) > 1 else None
        prefix, _, func = str(token).rpartition(".")
        func_l = func.lower()
        if func_l not in AGGREGATES:
            raise a.NqlError(
                f'"{func}()" is not an aggregate: expected count(), countif(...), '
                "field.sum(), field.avg(), field.min() or field.max()",
                _pos(token),
            )
        if func_l in ("count", "countif") and prefix:
            raise a.NqlError(f"{func_l}() takes no field before it", _pos(token))
        if func_l == "countif" and cond is None:
            raise a.NqlError("countif() needs a condition: countif(<condition>)", _pos(token))
        if func_l != "countif" and cond is not None:
            raise a.NqlError(f"{func_l}() takes no condition", _pos(token))
        if func_l in ("sum", "avg", "min", "max") and not prefix:
            raise a.NqlError(f"{func_l}() needs a field before it: <field>.{func_l}()", _pos(token))
        field = a.FieldRef(prefix, _pos(token)) if prefix else None
        return a.Agg(func_l, _pos(token), field, cond)

    def arith(self, items):
        left, op, right = items
        return a.Arith(str(op), self._number(left), self._number(right))

    def _number(self, item):
        if isinstance(item, Token):
            return a.Num(float(item) if item.type == "NUMBER" else int(item))
        return item


def _syntax_error(error: Exception, text: str) -> a.NqlError:
    if isinstance(error, UnexpectedEOF):
        expected = _words(set(error.expected))
        return a.NqlError(f"the query ends too early: expected {expected}", _end_pos(text))
    if isinstance(error, UnexpectedToken):
        pos = a.Pos(error.line, error.column)
        expected = _words(error.expected or set())
        if error.token.type == "$END":
            return a.NqlError(
                f"the query ends too early: expected {expected}{_after(text, error)}",
                _end_pos(text),
            )
        return a.NqlError(f'expected {expected}{_after(text, error)}, not "{error.token}"', pos)
    if isinstance(error, UnexpectedCharacters):
        pos = a.Pos(error.line, error.column)
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        if char == '"':
            return a.NqlError('this string is not closed: add the closing "', pos)
        allowed = _words(error.allowed or set())
        return a.NqlError(f'unexpected character "{char}": expected {allowed}', pos)
    return a.NqlError(str(error))


def _end_pos(text: str) -> a.Pos:
    lines = text.rstrip().split("\n")
    return a.Pos(len(lines), len(lines[-1]) + 1)


def _after(text: str, error: UnexpectedToken) -> str:
    """' after "where"': the last word before the error, when there is one."""
    start = error.token.start_pos
    if error.token.type == "$END" or start is None:
        start = len(text)
    before = text[:start].rstrip()
    match = re.search(r'(\$?[A-Za-z0-9_.\-:]+|"[^"]*"|[|()\[\],=<>!*/+]+)$', before)
    return f' after "{match.group(1)}"' if match else ""


def parse(text: str) -> a.Query:
    if not text or not text.strip():
        raise a.NqlError("Enter an NQL query, for example: devices | list name", a.Pos(1, 1))
    if len(text) > MAX_QUERY_LENGTH:
        raise a.NqlError(f"The query is longer than {MAX_QUERY_LENGTH:,} characters.")
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise a.NqlError("the query holds a NUL character", a.Pos(line, column))
    try:
        tree = _parser().parse(text)
    except (UnexpectedToken, UnexpectedCharacters, UnexpectedEOF) as error:
        raise _syntax_error(error, text) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, a.NqlError):
            raise error.orig_exc from None
        raise
