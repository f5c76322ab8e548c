"""A small JQL evaluator for the Jira fake: quoted values are always literal.

Grammar: ``expr := term (OR term)*``, ``term := factor (AND factor)*``,
``factor := NOT factor | ( expr ) | clause``, ``clause := field op value``, with ``=``,
``!=``, ``~``, ``>=``, ``<=``, ``>``, ``<``, ``IN (...)``, ``NOT IN (...)``, ``IS EMPTY``,
``IS NOT EMPTY``; then an optional ``ORDER BY field [ASC|DESC]``. Anything else is an error,
as Jira answers 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Issue = dict[str, Any]
Getter = Callable[[Issue, str], list[str]]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>!=|>=|<=|~|=|>|<|\(|\)|,)|(?P<word>[^\s=!<>~(),"]+))'
)


class JQLError(ValueError):
    """The query is not valid JQL (Jira answers 400)."""


def tokenize(jql: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    jql = jql.strip()
    while pos < len(jql):
        match = _TOKEN.match(jql, pos)
        if not match or match.end() == pos:
            raise JQLError(f"cannot read the query at {jql[pos : pos + 20]!r}")
        pos = match.end()
        if match.group("str") is not None:
            raw = match.group("str")[1:-1]
            tokens.append(("str", re.sub(r"\\(.)", r"\1", raw)))
        elif match.group("op") is not None:
            tokens.append(("op", match.group("op")))
        else:
            tokens.append(("word", match.group("word")))
    return tokens


class Query:
    """A parsed query: a predicate over issues and an order."""

    def __init__(self, jql: str, get: Getter) -> None:
        self.tokens = tokenize(jql)
        self.pos = 0
        self.get = get
        self.order: tuple[str, bool] | None = None
        self.predicate = self._expr() if self._peek_word() != "ORDER" else (lambda _i: True)
        if self._peek_word() == "ORDER":
            self.pos += 1
            if self._next_word() != "BY":
                raise JQLError("expected BY after ORDER")
            orders = []
            while True:
                field = self._next_value()
                descending = False
                if self._peek_word() in ("ASC", "DESC"):
                    descending = self._next_word() == "DESC"
                orders.append((field, descending))
                if self._peek() != ("op", ","):
                    break
                self.pos += 1
            self.order = orders[0]
        if self.pos != len(self.tokens):
            raise JQLError(f"unexpected {self.tokens[self.pos][1]!r}")

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _peek_word(self) -> str | None:
        token = self._peek()
        return token[1].upper() if token and token[0] == "word" else None

    def _next_word(self) -> str:
        token = self._peek()
        if not token or token[0] != "word":
            raise JQLError("expected a keyword")
        self.pos += 1
        return token[1].upper()

    def _next_value(self) -> str:
        token = self._peek()
        if not token or token[0] not in ("str", "word"):
            raise JQLError("expected a value")
        self.pos += 1
        if token[0] == "word" and token[1].endswith(")"):
            raise JQLError("functions are not supported here")
        return token[1]

    def _expect(self, op: str) -> None:
        if self._peek() != ("op", op):
            raise JQLError(f"expected {op!r}")
        self.pos += 1

    def _expr(self) -> Callable[[Issue], bool]:
        terms = [self._term()]
        while self._peek_word() == "OR":
            self.pos += 1
            terms.append(self._term())
        return lambda issue: any(t(issue) for t in terms)

    def _term(self) -> Callable[[Issue], bool]:
        factors = [self._factor()]
        while self._peek_word() == "AND":
            self.pos += 1
            factors.append(self._factor())
        return lambda issue: all(f(issue) for f in factors)

    def _factor(self) -> Callable[[Issue], bool]:
        if self._peek_word() == "NOT":
            self.pos += 1
            inner = self._factor()
            return lambda issue: not inner(issue)
        if self._peek() == ("op", "("):
            self.pos += 1
            inner = self._expr()
            self._expect(")")
            return inner
        return self._clause()

    def _clause(self) -> Callable[[Issue], bool]:
        field = self._next_value()
        token = self._peek()
        if token is None:
            raise JQLError("expected an operator")
        self.pos += 1
        op = token[1].upper()
        get = self.get
        if op == "IS":
            negate = self._peek_word() == "NOT"
            if negate:
                self.pos += 1
            if self._next_word() != "EMPTY":
                raise JQLError("expected EMPTY")
            return lambda issue: bool(get(issue, field)) == negate
        if op in ("IN", "NOT"):
            if op == "NOT" and self._next_word() != "IN":
                raise JQLError("expected IN")
            self._expect("(")
            values = [self._next_value()]
            while self._peek() == ("op", ","):
                self.pos += 1
                values.append(self._next_value())
            self._expect(")")
            wanted = {v.lower() for v in values}
            inside: Callable[[Issue], bool] = lambda issue: any(  # noqa: E731
                v.lower() in wanted for v in get(issue, field)
            )
            return inside if op == "IN" else (lambda issue: not inside(issue))
        value = self._next_value()
        low = value.lower()
        if op == "=":
            return lambda issue: any(v.lower() == low for v in get(issue, field))
        if op == "!=":
            return lambda issue: all(v.lower() != low for v in get(issue, field))
        if op == "~":
            return lambda issue: any(low in v.lower() for v in get(issue, field))
        if re.fullmatch(r"-\d+[mhdw]", value):  # a relative date: JQL's own, zone-free
            unit = {"m": 60, "h": 3600, "d": 86400, "w": 604800}[value[-1]]
            when = datetime.now(UTC) - timedelta(seconds=int(value[1:-1]) * unit)
            value = when.strftime("%Y-%m-%d %H:%M")
        compare = {">=": str.__ge__, "<=": str.__le__, ">": str.__gt__, "<": str.__lt__}
        if op in compare:
            fn = compare[op]
            return lambda issue: any(fn(v, value) for v in get(issue, field))
        raise JQLError(f"unknown operator {op!r}")
