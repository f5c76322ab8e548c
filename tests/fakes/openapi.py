"""Checks the fakes' traffic against the trackers' official OpenAPI descriptions.

A :class:`Spec` is one OpenAPI 3 document (``.json`` or ``.json.gz``), loaded once per process
and indexed by method and path template. :meth:`Spec.check_request` matches a request to its
operation and checks the path and query parameters against their declared schemas (a query
parameter the operation does not declare is reported) and the JSON body against the
``requestBody`` schema; :meth:`Spec.check_response` checks a JSON body against the schema of
its status code (``2XX``-style ranges and ``default`` count). Each problem is a
:class:`Violation` naming the operation, where (``request body``, ``request query``,
``request path``, ``response 201``, ``route``), the JSON path and what was wrong.

Schemas are checked with ``openapi-schema-validator`` (on ``jsonschema``), in its OpenAPI 3.0
dialect: both documents are 3.0 (GitHub's is 3.0.3, Jira's 3.0.1), so ``nullable`` is a
keyword, requests are checked in write mode (``readOnly`` properties may not be sent and are
never required) and responses in read mode (``writeOnly`` the other way round). ``$ref`` is
resolved inside the one document. ``date-time``, ``date`` and ``uri`` formats are checked on top
of the OpenAPI ones (``int32``, ``int64``, ``byte``, ...).

What the rules are, where the description leaves room:

* A status the operation does not declare is a violation for 1xx-3xx. For 4xx and 5xx it is
  not: OpenAPI does not expect every error to be listed, so such a response is counted as
  unchecked (:func:`summary`) and not judged.
* A response declared without ``content`` is not checked (nothing is documented about its body);
  a declared JSON body that is missing is a violation unless its schema accepts anything.
* Path parameters match one segment each; a literal segment wins over a template
  (``/issues/comments`` before ``/issues/{issue_number}``), as OpenAPI requires.
* ``nullable: true`` admits null beside ``enum``, ``allOf``/``oneOf``/``anyOf`` and ``$ref``
  too, as both descriptions mean it (see :func:`_null_allowed`).
* Response headers are not checked.

The fakes serve GitHub under ``/api/v3`` (as GitHub Enterprise Server does) and Jira under
``/rest/api/2`` and ``/rest/api/3``; :func:`github` and :func:`jira` strip those prefixes.
Jira's v2 traffic is checked against the v3 description: :func:`jira` says which checks that
covers.

Each document is parsed and indexed once per process (about 0.3 s for GitHub's, 0.1 s for
Jira's). Checking is what costs: what an object, a body or a whole answer gave is kept, so that
the same issue sent again in every list is checked once; and :class:`FakeValidator` queues
each response just before it goes out and checks it on a worker thread, so that no client's
timeout includes the checking (:func:`drain` waits for the queue).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from jsonschema import FormatChecker, ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from referencing import Registry, Resource, Specification
from rfc3339_validator import validate_rfc3339

GITHUB_FILE = "github-api.github.com.openapi.json.gz"
JIRA_FILE = "jira-cloud-platform-v3.openapi.json"


def specs_dir() -> Path:
    """Where the descriptions are: ``$TICKET_BRIDGE_SPECS``, else the nearest ``shared/specs``
    beside the repository or one of its parents (a clone or a worktree)."""
    given = os.environ.get("TICKET_BRIDGE_SPECS")
    if given:
        return Path(given)
    root = Path(__file__).resolve().parents[2]
    for parent in root.parents:
        candidate = parent / "shared" / "specs"
        if (candidate / GITHUB_FILE).is_file():
            return candidate
    raise FileNotFoundError(
        f"no shared/specs/{GITHUB_FILE} beside {root} or above it; set TICKET_BRIDGE_SPECS"
    )


METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_INDEX = re.compile(r"\[\d+\]")
_MAX_MESSAGE = 240


class Violation(NamedTuple):
    """One way a request or response differs from the description."""

    operation: str  # operationId, or "METHOD /path" when no operation matched
    route: str  # "POST /repos/{owner}/{repo}/issues"; the concrete path when nothing matched
    where: str  # "request body" | "request query" | "request path" | "response 201" | "route"
    path: str  # JSON path inside ``where``: "$.labels[0].name"; "$" for the whole
    message: str
    spec: str = ""

    @property
    def pattern(self) -> str:
        """The JSON path with array indexes as ``[*]``, as the allowlist names it."""
        return _INDEX.sub("[*]", self.path)

    def __str__(self) -> str:
        if self.operation == self.route:
            return f"{self.route} {self.where} at {self.path}: {self.message}"
        return f"{self.operation} ({self.route}) {self.where} at {self.path}: {self.message}"


@dataclass
class Operation:
    """One operation of a description, with what checking it needs resolved lazily."""

    spec: Spec
    method: str
    template: str  # the path template with the API prefix stripped
    pointer: str  # JSON pointer to the operation object
    raw: dict[str, Any]
    path_item: dict[str, Any]
    _params: dict[tuple[str, str], dict[str, Any]] | None = None
    route: str = field(init=False)  # "POST /repos/{owner}/{repo}/issues"
    operation_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.route = f"{self.method} {self.template}"
        self.operation_id = str(self.raw.get("operationId") or self.route)

    @property
    def params(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Parameters by ``(in, name)``, path-level ones overridden by the operation's."""
        if self._params is None:
            merged: dict[tuple[str, str], dict[str, Any]] = {}
            for raw in [*self.path_item.get("parameters", []), *self.raw.get("parameters", [])]:
                param = self.spec.deref(raw)
                merged[(param["in"], param["name"])] = param
            self._params = merged
        return self._params

    def violation(self, where: str, path: str, message: str) -> Violation:
        return Violation(self.operation_id, self.route, where, path, message, self.spec.name)


@dataclass
class _Template:
    segments: tuple[str | re.Pattern[str] | None, ...]  # literal, mixed segment, or one param
    names: tuple[str, ...]
    operation: Operation

    @property
    def rank(self) -> tuple[int, ...]:
        """Literal segments first, from the left: sorts the most concrete template first."""
        return tuple(0 if isinstance(s, str) else 1 for s in self.segments)


def _segment(raw: str) -> tuple[str | re.Pattern[str] | None, list[str]]:
    names = re.findall(r"\{([^}]+)\}", raw)
    if not names:
        return raw, []
    if raw == "{" + names[0] + "}":
        return None, names
    parts = re.split(r"\{[^}]+\}", raw)
    return re.compile("^" + "([^/]+?)".join(re.escape(p) for p in parts) + "$"), names


def _json(status_or_content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The JSON media type object of a ``content`` map, if it has one."""
    for media, value in status_or_content.items():
        kind = media.split(";")[0].strip().lower()
        if kind == "application/json" or kind.endswith("+json") or kind == "*/*":
            return value if isinstance(value, dict) else None
    return None


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A query or path string as the type its schema declares (left alone if it is not one)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _describe(error: ValidationError) -> str:
    """What was wrong, short: the instance repr of a big object is not the point."""
    if error.validator in ("oneOf", "anyOf", "allOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        inner = _describe(deepest)
        where = "".join(f"[{p!r}]" for p in deepest.relative_path)
        return _short(f"no {error.validator} branch matches; e.g. {where or 'value'}: {inner}")
    if error.validator == "type" and isinstance(error.instance, dict | list):
        return f"{type(error.instance).__name__} is not of type {error.validator_value!r}"
    return _short(error.message)


def _rfc3339(value: object) -> bool:
    return not isinstance(value, str) or validate_rfc3339(value)


_JIRA_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d|Z)$")


def _jira_date_time(value: object) -> bool:
    """RFC 3339, or the ISO 8601 form Jira itself sends: ``2024-05-01T10:00:00.000+0000``."""
    return not isinstance(value, str) or bool(_JIRA_DATE_TIME.match(value))


def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and " " not in value


def _format_checker(date_time: Callable[[object], bool]) -> FormatChecker:
    checker = FormatChecker()
    checker.checkers = dict(oas30_format_checker.checkers)
    checker.checks("date-time")(date_time)
    checker.checks("date")(_date)
    checker.checks("uri")(_uri)
    return checker


def _null_allowed(keyword: Callable[..., Iterator[ValidationError]]) -> Any:
    """``keyword`` unless the instance is null and the schema is ``nullable``.

    OpenAPI 3.0 lets ``nullable: true`` admit null only beside a ``type``; the descriptions also
    write it beside ``enum`` (GitHub's ``state_reason``) and ``allOf: [$ref]`` (Jira), meaning
    null or the schema, as their 3.1 forms spell out. That is how it is read here.
    """

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if instance is None and schema.get("nullable") is True:
            return
        yield from keyword(validator, value, instance, schema)

    return check


def _remembered(keyword: Callable[..., Iterator[ValidationError]], cache: dict[Any, Any]) -> Any:
    """``keyword`` (``$ref``, ``oneOf``, ...) keeping what it found for each object it checked.

    The fakes send the same objects over and over (an issue alone and in every list, the same
    user and labels in every issue): each distinct one is checked once per process. Errors are
    kept as their parts and made anew each time, as the caller prefixes their paths.
    """

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if not isinstance(instance, dict) or not instance or str(value).startswith("urn:"):
            yield from keyword(validator, value, instance, schema)  # urn: a whole body, kept above
            return
        try:  # a $ref by its text (one document), an inline list of schemas by identity
            where = value if isinstance(value, str) else id(value)
            key = (type(validator), where, json.dumps(instance, check_circular=False))
        except (TypeError, ValueError):
            yield from keyword(validator, value, instance, schema)
            return
        found = cache.get(key)
        if found is None:
            errors = list(keyword(validator, value, instance, schema))
            if len(cache) > 50_000:
                cache.clear()
            cache[key] = tuple(
                (
                    e.message,
                    e.validator,
                    e.validator_value,
                    tuple(e.relative_path),
                    tuple(e.relative_schema_path),
                    e.instance,
                    e.schema,
                    tuple(e.context),
                )
                for e in errors
            )
            yield from errors  # first time: these, before the caller prefixes their paths
            return
        for message, kind, kept_value, path, schema_path, inner, subschema, context in found:
            yield ValidationError(
                message,
                validator=kind,
                validator_value=kept_value,
                path=path,
                schema_path=schema_path,
                instance=inner,
                schema=subschema,
                context=context,
            )

    return check


def _typed(keyword: Callable[..., Iterator[ValidationError]]) -> Any:
    """``type``, with one error for a null where the schema is not ``nullable`` (not two)."""

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if instance is None:
            if schema.get("nullable") is not True:
                yield ValidationError(f"None is not of type {value!r} (not nullable)")
            return
        yield from keyword(validator, value, instance, schema)

    return check


def _validator_class(cls: Any, cache: dict[Any, Any]) -> Any:
    wrapped = {
        "enum": _null_allowed(cls.VALIDATORS["enum"]),
        "type": _typed(cls.VALIDATORS["type"]),
    }
    wrapped["not"] = _null_allowed(cls.VALIDATORS["not"])
    for keyword in ("$ref", "allOf", "anyOf", "oneOf"):
        wrapped[keyword] = _null_allowed(_remembered(cls.VALIDATORS[keyword], cache))
    return extend(cls, wrapped)


# Every $ref of both descriptions is a pointer into the same document; no schema has an id.
_LOCAL = Specification(
    name="openapi-document",
    id_of=lambda _: None,
    subresources_of=lambda _: (),
    anchors_in=lambda _spec, _contents: (),
    maybe_in_subresource=lambda segments, resolver, subresource: resolver,
)


class Spec:
    """One OpenAPI 3.0 description, indexed for matching and checking.

    ``prefixes`` are regexes of the request path prefixes this API is served under (taken off
    before matching); ``strip`` is a prefix taken off the document's own templates (Jira's
    ``/rest/api/3``), so that both meet in the middle. ``date_time`` checks that format.
    """

    def __init__(
        self,
        name: str,
        document: dict[str, Any],
        *,
        prefixes: Iterable[str],
        strip: str = "",
        date_time: Callable[[object], bool] = _rfc3339,
    ) -> None:
        started = time.perf_counter()
        self.name = name
        self.document = document
        self.uri = f"urn:openapi:{name}"
        self._prefix = re.compile("^(?:" + "|".join(prefixes) + ")(?=/)")
        self._registry: Registry[Any] = Registry().with_resource(
            self.uri, Resource(contents=document, specification=_LOCAL)
        )
        self._format_checker = _format_checker(date_time)
        self._validators: dict[tuple[str, bool], Any] = {}
        self._results: dict[Any, Any] = {}
        self._bodies: dict[tuple[str, bool, str], tuple[tuple[str, str], ...]] = {}
        self._read = _validator_class(OAS30ReadValidator, self._results)
        self._write = _validator_class(OAS30WriteValidator, self._results)
        self._lock = threading.Lock()
        self._index: dict[tuple[str, int], list[_Template]] = {}
        self._matched: dict[tuple[str, str], tuple[Operation, dict[str, str]] | None] = {}
        for template, item in document.get("paths", {}).items():
            if strip and not template.startswith(strip + "/"):
                continue
            short = template[len(strip) :] if strip else template
            segments, names = [], []
            for raw in short.strip("/").split("/"):
                seg, found = _segment(raw)
                segments.append(seg)
                names.extend(found)
            escaped = template.replace("~", "~0").replace("/", "~1")
            for method in METHODS:
                if method in item:
                    op = Operation(
                        self,
                        method.upper(),
                        short,
                        f"/paths/{escaped}/{method}",
                        item[method],
                        item,
                    )
                    key = (method.upper(), len(segments))
                    self._index.setdefault(key, []).append(
                        _Template(tuple(segments), tuple(names), op)
                    )
        for templates in self._index.values():
            templates.sort(key=lambda t: t.rank)
        self.index_seconds = time.perf_counter() - started
        self.load_seconds = 0.0

    # ------------------------------------------------------------ the document

    def deref(self, node: Any) -> Any:
        """``node`` with its own ``$ref`` chain followed (components, one document)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or seen > 20:
                raise ValueError(f"unsupported $ref {ref!r}")
            node = self.document
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
        return node

    def _validator(self, pointer: str, write: bool) -> Any:
        """A compiled validator for the schema at ``pointer`` (cached; thread-safe)."""
        key = (pointer, write)
        found = self._validators.get(key)
        if found is None:
            cls = self._write if write else self._read
            ref = {"$ref": self.uri + "#" + quote(pointer, safe="/~")}
            found = cls(ref, registry=self._registry, format_checker=self._format_checker)
            with self._lock:
                self._validators[key] = found
        return found

    def _errors(self, pointer: str, instance: Any, *, write: bool) -> list[tuple[str, str]]:
        """``(JSON path, what is wrong)`` for each error of ``instance`` against the schema at
        ``pointer``. What a whole body or a list item gave is kept, like what ``$ref`` and the
        ``*Of`` keywords found (see :func:`_remembered`)."""
        final, schema = self._final(pointer)
        if (
            isinstance(instance, list)
            and schema.get("type") == "array"
            and isinstance(schema.get("items"), dict)
            and not {"minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not"}
            & schema.keys()
        ):
            out = []
            for i, item in enumerate(instance):
                out.extend(
                    (f"$[{i}]{path[1:]}", what)
                    for path, what in self._kept(final + "/items", item, write)
                )
            return out
        return list(self._kept(pointer, instance, write))

    def _final(self, pointer: str) -> tuple[str, dict[str, Any]]:
        """The pointer at the end of the ``$ref`` chain from ``pointer``, and its schema."""
        node: Any = self.document
        for part in pointer[1:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
            pointer = node["$ref"][1:]
            node = self.deref(node)
        return pointer, node

    def _kept(self, pointer: str, instance: Any, write: bool) -> tuple[tuple[str, str], ...]:
        try:
            key = (pointer, write, json.dumps(instance, check_circular=False))
        except (TypeError, ValueError):
            return tuple(self._validate(pointer, instance, write))
        found = self._bodies.get(key)
        if found is None:
            found = tuple(self._validate(pointer, instance, write))
            if len(self._bodies) > 20_000:
                self._bodies.clear()
            self._bodies[key] = found
        return found

    def _validate(self, pointer: str, instance: Any, write: bool) -> Iterator[tuple[str, str]]:
        """A missing or an extra property is named in the path: each is its own violation."""
        for error in self._validator(pointer, write).iter_errors(instance):
            if error.validator == "required":
                name = error.message.split("'")[1] if "'" in error.message else "?"
                yield f"{error.json_path}.{name}", "required, missing"
            elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
                declared = error.schema.get("properties", {}) if error.schema else {}
                for extra in sorted(k for k in error.instance if k not in declared):
                    yield (
                        f"{error.json_path}.{extra}",
                        "not in the schema (no additional properties)",
                    )
            else:
                yield error.json_path, _describe(error)

    # ------------------------------------------------------------ matching

    def strip_prefix(self, path: str) -> str | None:
        """The path as the description's templates spell it, or None if it is not this API."""
        match = self._prefix.match(path)
        return None if match is None else path[match.end() :]

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving ``method path`` and its path parameters, or None."""
        key = (method, path)
        if key not in self._matched:
            if len(self._matched) > 20_000:
                self._matched.clear()
            self._matched[key] = self._match(method, path)
        return self._matched[key]

    def _match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        short = self.strip_prefix(path)
        if short is None:
            return None
        parts = short.strip("/").split("/")
        for template in self._index.get((method.upper(), len(parts)), ()):
            values: list[str] = []
            for seg, part in zip(template.segments, parts, strict=True):
                if seg is None:
                    if not part:
                        break
                    values.append(part)
                elif isinstance(seg, str):
                    if seg != part:
                        break
                else:
                    found = seg.match(part)
                    if found is None:
                        break
                    values.extend(found.groups())
            else:
                return template.operation, dict(zip(template.names, values, strict=True))
        return None

    def known_path(self, path: str) -> bool:
        """Whether any method serves ``path`` (tells a wrong method from an unknown route)."""
        return any(self.match(m.upper(), path) for m in METHODS)

    # ------------------------------------------------------------ checks

    def unknown(self, method: str, path: str) -> Violation:
        short = self.strip_prefix(path)
        what = (
            f"the description has no {method} operation on this path"
            if short is not None and self.known_path(path)
            else "no operation of the description matches this path"
        )
        return Violation(f"{method} {path}", f"{method} {path}", "route", "$", what, self.name)

    def check_request(
        self, method: str, path: str, query: Mapping[str, list[str]], body: Any
    ) -> list[Violation]:
        """Parameters and JSON body of one request; an unmatched request is one violation."""
        found = self.match(method, path)
        if found is None:
            return [self.unknown(method, path)]
        op, path_values = found
        out: list[Violation] = []
        for name, value in path_values.items():
            param = op.params.get(("path", name))
            if param is not None:
                out.extend(self._check_param(op, param, [value], "request path"))
        for name, values in query.items():
            param = op.params.get(("query", name))
            if param is None:
                out.append(op.violation("request query", f"$.{name}", "unknown query parameter"))
                continue
            out.extend(self._check_param(op, param, values, "request query"))
        for (where, name), param in op.params.items():
            if where == "query" and param.get("required") and name not in query:
                out.append(op.violation("request query", f"$.{name}", "required, not sent"))
        out.extend(self._check_body(op, body))
        return out

    def _check_param(
        self, op: Operation, param: dict[str, Any], values: list[str], where: str
    ) -> list[Violation]:
        schema = self.deref(param.get("schema") or {})
        if schema.get("type") == "array":
            explode = param.get("explode", param.get("style", "form") == "form")
            raw = values if explode else [p for v in values for p in v.split(",")]
            items = self.deref(schema.get("items") or {})
            instance: Any = [_coerce(v, items) for v in raw]
        else:
            if len(values) > 1:
                return [op.violation(where, f"$.{param['name']}", "sent more than once")]
            instance = _coerce(values[0], schema)
        pointer = self._param_pointer(op, param)
        return [
            op.violation(where, f"$.{param['name']}" + path[1:], what)
            for path, what in self._errors(pointer, instance, write=True)
        ]

    def _param_pointer(self, op: Operation, param: dict[str, Any]) -> str:
        """A JSON pointer to the schema of a (dereferenced) parameter object."""
        for base, raws in (
            (op.pointer, op.raw.get("parameters", [])),
            (op.pointer.rsplit("/", 1)[0], op.path_item.get("parameters", [])),
        ):
            for i, raw in enumerate(raws):
                if self.deref(raw) is param:
                    if "$ref" in raw:
                        return self._pointer_of(raw) + "/schema"
                    return f"{base}/parameters/{i}/schema"
        raise LookupError(param["name"])  # pragma: no cover - params come from the same lists

    def _pointer_of(self, node: dict[str, Any]) -> str:
        """The pointer at the end of a ``$ref`` chain."""
        ref = node["$ref"]
        target = self.deref({"$ref": ref})
        while isinstance(target, dict) and "$ref" in target:  # pragma: no cover - no chains seen
            ref = target["$ref"]
            target = self.deref(target)
        return str(ref[1:])

    def _check_body(self, op: Operation, body: Any) -> list[Violation]:
        request = op.raw.get("requestBody")
        if request is None:
            if body not in (None, b"", ""):
                return [op.violation("request body", "$", "the operation takes no request body")]
            return []
        request = self.deref(request)
        media = _json(request.get("content", {}))
        if body is None:
            if request.get("required"):
                return [op.violation("request body", "$", "required, none sent")]
            return []
        if media is None:
            return []  # not a JSON operation; the body's media type is not ours to check
        if isinstance(body, str):
            return [op.violation("request body", "$", "not JSON")]
        pointer = self._content_pointer(op, ("requestBody",), request)
        if pointer is None:
            return []
        return [
            op.violation("request body", path, what)
            for path, what in self._errors(pointer, body, write=True)
        ]

    def _content_pointer(
        self, op: Operation, keys: tuple[str, ...], resolved: dict[str, Any]
    ) -> str | None:
        """A JSON pointer to the JSON schema of a request body or response object."""
        node: Any = op.raw
        pointer = op.pointer
        for key in keys:
            node = node[key]
            pointer += "/" + key.replace("~", "~0").replace("/", "~1")
        if isinstance(node, dict) and "$ref" in node:
            pointer = self._pointer_of(node)
        content = resolved.get("content", {})
        for media, value in content.items():
            if _json({media: value}) is not None and "schema" in value:
                escaped = media.replace("~", "~0").replace("/", "~1")
                return f"{pointer}/content/{escaped}/schema"
        return None

    def response_key(self, op: Operation, status: int) -> str | None:
        responses = op.raw.get("responses", {})
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            if key in responses:
                return key
        return None

    def check_response(
        self, method: str, path: str, status: int, body: Any
    ) -> tuple[bool, list[Violation]]:
        """``(checked, violations)`` for one response; ``checked`` is False for an
        undeclared 4xx/5xx (not judged) and for a request that matched no operation."""
        found = self.match(method, path)
        if found is None:
            return False, []  # reported once, on the request
        op = found[0]
        where = f"response {status}"
        key = self.response_key(op, status)
        if key is None:
            if status >= 400:
                return False, []
            declared = ", ".join(op.raw.get("responses", {}))
            return True, [op.violation(where, "$", f"status not declared (only {declared})")]
        response = self.deref(op.raw["responses"][key])
        media = _json(response.get("content", {}))
        if media is None or "schema" not in media:
            return True, []
        if body is None or body == b"":
            if status in (204, 304) or method == "HEAD" or not self.deref(media["schema"]):
                return True, []
            return True, [op.violation(where, "$", "no body; the description declares JSON")]
        if isinstance(body, bytes | str):
            return True, [op.violation(where, "$", "not JSON")]
        pointer = self._content_pointer(op, ("responses", key), response)
        if pointer is None:  # pragma: no cover - media has a schema, so there is a pointer
            return True, []
        return True, [
            op.violation(where, path, what)
            for path, what in self._errors(pointer, body, write=False)
        ]


# ------------------------------------------------------------------ the two descriptions


@cache
def load_document(path: Path) -> dict[str, Any]:
    """The parsed document at ``path`` (gzipped or plain), once per process."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    document: dict[str, Any] = json.loads(raw)
    return document


@cache
def github() -> Spec:
    """GitHub's REST description; requests under ``/api/v3`` (GitHub Enterprise Server)."""
    started = time.perf_counter()
    spec = Spec("github", load_document(specs_dir() / GITHUB_FILE), prefixes=[r"/api/v3"])
    spec.load_seconds = time.perf_counter() - started
    return spec


@cache
def jira() -> Spec:
    """Jira Cloud platform v3, which also checks the fakes' ``/rest/api/2`` traffic.

    What applies to v2 (Jira Server / Data Center, and Cloud's v2), whose paths are the v3
    templates under ``/rest/api/2``: every check — route, path and query parameters, request
    body, response body — because where v2 and v3 differ the v3 description leaves the shape
    open: rich-text values (``description``, ``environment``, text custom fields, comment
    ``body``) are wiki-markup strings in v2 and Atlassian Document Format in v3, and the
    description types none of them (``IssueBean.fields`` and ``IssueUpdateDetails.fields`` are
    free maps, ``Comment.body`` has no schema), so a v2 string passes as a v3 document does.
    Nothing here checks that a v3 rich-text value is a valid ADF document, nor that a v2
    request uses only operations Server has (``/search/jql`` is Cloud's; the deprecated
    ``/search`` that Server keeps is in the description and is checked as such).

    ``date-time`` accepts Jira's own wire form (``+0000`` offsets) as well as RFC 3339: every
    Jira sends it, and the description's ``format`` cannot say so.
    """
    started = time.perf_counter()
    spec = Spec(
        "jira",
        load_document(specs_dir() / JIRA_FILE),
        prefixes=[r"/rest/api/[23]"],
        strip="/rest/api/3",
        date_time=_jira_date_time,
    )
    spec.load_seconds = time.perf_counter() - started
    return spec


# ------------------------------------------------------------------ for the fakes


@dataclass(frozen=True)
class Allowed:
    """A known violation, accepted until it is fixed: which check, where, and why.

    It covers a violation whose operation is one of ``operations``, whose ``where`` is ``where``
    (``response 2XX`` stands for any 2xx status) and whose JSON path, array indexes as ``[*]``,
    is one of ``paths``; ``message``, if given, must be part of the violation's message.
    """

    operations: tuple[str, ...]  # operationIds (or "METHOD /path" for an unmatched request)
    where: str  # "request body", "response 200", "response 2XX", "route", ...
    paths: tuple[str, ...]  # exact JSON paths, [*] for array indexes
    reason: str
    message: str = ""

    def covers(self, violation: Violation) -> bool:
        if violation.operation not in self.operations or self.message not in violation.message:
            return False
        if self.where.endswith("XX"):
            if not (violation.where[:-2] == self.where[:-2] and violation.where[-2:].isdigit()):
                return False
        elif violation.where != self.where:
            return False
        return violation.pattern in self.paths


@dataclass
class Stats:
    requests: int = 0
    responses: int = 0
    unchecked: int = 0  # undeclared 4xx/5xx and responses to unmatched requests
    violations: int = 0
    allowlisted: int = 0
    allowances_used: set[int] = field(default_factory=set)
    distinct: set[tuple[str, str, str]] = field(default_factory=set)  # allowlisted ones
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    seconds: float = 0.0


STATS = Stats()


Report = Callable[[list[Violation]], None]
# kept violations, how many allowlisted, which allowlist entries, distinct allowlisted ones
_Sorted = tuple[
    list[Violation] | tuple[Violation, ...], int, frozenset[int], frozenset[tuple[str, str, str]]
]


class FakeValidator:
    """What :class:`tests.fakes.base.FakeServer` calls: picks the description by path prefix,
    drops allowlisted violations (counting them) and keeps the process-wide counts.

    A request is checked at once, before the fake acts on it. A response is checked from the
    bytes that went out, after they went out; with ``background`` on a worker thread, so that a
    client's timeouts never include the checking. :func:`drain` waits for what is queued.
    """

    def __init__(
        self,
        specs: Iterable[Spec] | None = None,
        allow: Iterable[Allowed] | None = None,
        *,
        background: bool = False,
        stats: Stats | None = None,
    ) -> None:
        self._specs = list(specs) if specs is not None else None
        if allow is None:
            from tests.fakes.openapi_allow import ALLOWED

            allow = ALLOWED
        self.allow = tuple(allow)
        self.background = background
        self.stats = STATS if stats is None else stats  # the process-wide counts by default
        self._decisions: dict[tuple[str, str, str, str], int | None] = {}
        self._answers: dict[tuple[str, str, int, bytes], tuple[bool, _Sorted]] = {}

    @property
    def specs(self) -> list[Spec]:
        if self._specs is None:
            self._specs = [github(), jira()]
        return self._specs

    def _spec(self, path: str) -> Spec | None:
        return next((s for s in self.specs if s.strip_prefix(path) is not None), None)

    def _keep(self, found: list[Violation]) -> list[Violation]:
        """``found`` less what the allowlist covers; counts both."""
        return self._count(self._sort(found))

    def _sort(self, found: list[Violation]) -> _Sorted:
        kept: list[Violation] = []
        allowed = 0
        used: set[int] = set()
        distinct: set[tuple[str, str, str]] = set()
        decisions = self._decisions
        for violation in found:
            key = (violation.operation, violation.where, violation.path, violation.message)
            if key in decisions:
                hit = decisions[key]
            else:
                hit = next((i for i, a in enumerate(self.allow) if a.covers(violation)), None)
                if len(decisions) > 50_000:
                    decisions.clear()
                decisions[key] = hit
            if hit is None:
                kept.append(violation)
            else:
                allowed += 1
                used.add(hit)
                distinct.add((violation.operation, violation.where, violation.pattern))
        return tuple(kept), allowed, frozenset(used), frozenset(distinct)

    def _count(self, result: _Sorted) -> list[Violation]:
        kept, allowed, used, distinct = result
        if kept or allowed:
            with self.stats.lock:
                self.stats.violations += len(kept)
                self.stats.allowlisted += allowed
                self.stats.allowances_used |= used
                self.stats.distinct |= distinct
        return list(kept)

    def check_request(self, req: Any) -> list[Violation]:
        """The violations of one request (a ``tests.fakes.base.Request``)."""
        started = time.perf_counter()
        spec = self._spec(req.path)
        if spec is None:
            where = f"{req.method} {req.path}"
            found = [Violation(where, where, "route", "$", "not under any described API")]
        else:
            found = spec.check_request(req.method, req.path, req.query, req.body)
        kept = self._keep(found)
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.seconds += time.perf_counter() - started
        return kept

    def check_response(self, req: Any, status: int, payload: bytes, report: Report) -> None:
        """Check the answer ``status``/``payload`` to ``req``; ``report`` gets the violations
        (at once, or from the worker thread)."""
        if self.background:
            _worker().put((self, req, status, payload, report))
        else:
            report(self.response_violations(req, status, payload))

    def response_violations(self, req: Any, status: int, payload: bytes) -> list[Violation]:
        """The violations of the answer ``status``/``payload`` to ``req``. The same answer to
        the same request (a list polled again) is checked once: its result is kept."""
        started = time.perf_counter()
        key = (req.method, req.path, status, hashlib.sha1(payload).digest())
        memo = self._answers.get(key)
        if memo is None:
            body: Any = None
            if payload:
                try:
                    body = json.loads(payload)
                except ValueError:
                    body = payload.decode("utf-8", "replace")
            spec = self._spec(req.path)
            checked, found = (
                (False, [])
                if spec is None
                else spec.check_response(req.method, req.path, status, body)
            )
            memo = (checked, self._sort(found))
            if len(self._answers) > 20_000:
                self._answers.clear()
            self._answers[key] = memo
        checked, result = memo
        kept = self._count(result)
        with self.stats.lock:
            self.stats.responses += 1
            self.stats.unchecked += not checked
            self.stats.seconds += time.perf_counter() - started
        return kept


_QUEUE: queue.Queue[tuple[FakeValidator, Any, int, bytes, Report]] = queue.Queue()
_THREAD: list[threading.Thread] = []
_THREAD_LOCK = threading.Lock()


def _work() -> None:
    while True:
        validator, req, status, payload, report = _QUEUE.get()
        try:
            found: list[Any] = validator.response_violations(req, status, payload)
        except Exception as exc:  # a bug in the validator must show, not stop the checking
            found = [f"validator error on {req.method} {req.path} ({status}): {exc!r}"]
        try:
            report(found)
        finally:
            _QUEUE.task_done()


def _worker() -> queue.Queue[tuple[FakeValidator, Any, int, bytes, Report]]:
    with _THREAD_LOCK:
        if not _THREAD:
            thread = threading.Thread(target=_work, name="openapi-checks", daemon=True)
            thread.start()
            _THREAD.append(thread)
    return _QUEUE


def drain() -> None:
    """Wait until every queued response has been checked and reported."""
    _QUEUE.join()


def summary(stats: Stats | None = None) -> dict[str, int]:
    """The process-wide counts: requests and responses checked, violations, allowlisted."""
    s = stats or STATS
    with s.lock:
        return {
            "requests_checked": s.requests,
            "responses_checked": s.responses - s.unchecked,
            "responses_unchecked": s.unchecked,
            "violations": s.violations,
            "allowlisted": s.allowlisted,
            "allowlisted_distinct": len(s.distinct),
            "allowances_used": len(s.allowances_used),
            "checking_ms": int(s.seconds * 1000),
        }


def used_allowances() -> set[int]:
    """Indexes into the allowlist of the entries that covered a violation in this process."""
    with STATS.lock:
        return set(STATS.allowances_used)


def allowlisted_distinct() -> set[tuple[str, str, str]]:
    """``(operation, where, JSON path)`` of each distinct allowlisted violation seen."""
    with STATS.lock:
        return set(STATS.distinct)
