"""The shape of the source: import layering, no cycles, no private reach-ins, small units.

Everything here reads ``bridge/`` and ``adapters/`` with :mod:`ast` and :mod:`tokenize`;
nothing is imported, so a broken module still gets a precise report.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bridge", "adapters")

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50

# What the core service may not know about: how it is configured, found, built or wrapped.
SERVICE_CLASS = "TicketingService"
SERVICE_MUST_NOT_IMPORT = (
    "bridge.config",
    "bridge.registry",
    "bridge.factory",
    "bridge.resilience",
)

# Modules over MAX_MODULE_LINES, each with its length today as its ceiling: it may shrink but
# not grow, and once it is within the limit its entry goes (the test says so).
LONG_MODULES: dict[str, tuple[int, str]] = {
    "bridge/models.py": (
        429,
        "the neutral model in one place: enums, field validators, ticket, draft, changes, "
        "query and page; splitting the enums from the models they validate would scatter it",
    ),
}

# Functions over MAX_FUNCTION_LINES, as "path::Qualified.name", with the same rules.
LONG_FUNCTIONS: dict[str, tuple[int, str]] = {}

# Underscore names of the standard library that are its documented API, on any object...
ALLOWED_PRIVATE_ATTRIBUTES: dict[str, str] = {
    "_replace": "namedtuple's documented copy-with-changes method",
    "_asdict": "namedtuple's documented conversion to a dict",
    "_fields": "namedtuple's documented field names",
    "_make": "namedtuple's documented constructor from an iterable",
}
# ...and through their module, written as in the source.
ALLOWED_PRIVATE_NAMES: dict[str, str] = {
    "sys._getframe": "the documented way to read a caller's frame",
    "os._exit": "the documented exit without cleanup, for crash simulation",
    "argparse._SubParsersAction": "what add_subparsers returns, which has no public name",
    "self._jira._session": "the jira library's authenticated session, which it does not expose "
    "under a public name; read once, in adapters/jira/_client.py",
}


@dataclass(frozen=True)
class Module:
    """One source module: its dotted name, file and whether it is a package's ``__init__``."""

    name: str
    path: Path
    is_package: bool

    @property
    def rel(self) -> str:
        """The path relative to the project root, with forward slashes."""
        return self.path.relative_to(ROOT).as_posix()

    @property
    def package(self) -> str:
        """The package relative imports in this module start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


@cache
def modules() -> dict[str, Module]:
    """Every module of the checked packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            name = ".".join(parts)
            found[name] = Module(name, path, is_package)
    return found


@cache
def source(path: Path) -> str:
    """The text of a source file."""
    return path.read_text(encoding="utf-8")


@cache
def tree(path: Path) -> ast.Module:
    """The parsed source file."""
    return ast.parse(source(path), filename=str(path))


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def import_nodes(
    node: ast.AST, *, skip_type_checking: bool = True
) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, inside functions and classes too.

    With ``skip_type_checking`` the body of an ``if TYPE_CHECKING:`` is left out (its
    ``else`` branch is not): those imports never run.
    """
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif skip_type_checking and isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.orelse:
                yield from import_nodes(ast.Module(body=[statement], type_ignores=[]))
        else:
            yield from import_nodes(child, skip_type_checking=skip_type_checking)


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.package.split(".")
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imported_modules(
    module: Module, parsed: ast.AST | None = None, *, skip_type_checking: bool = True
) -> list[str]:
    """The dotted names ``module`` imports (``parsed``, else its file), in source order.

    ``import a.b`` imports ``a.b`` (not ``a``); ``from a import b`` imports the submodule
    ``a.b`` if there is one and ``a`` otherwise; relative imports are made absolute.
    """
    known = modules()
    found: list[str] = []
    parsed = parsed or tree(module.path)
    for node in import_nodes(parsed, skip_type_checking=skip_type_checking):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
            continue
        target = _absolute(module, node)
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            found.append(submodule if submodule in known else target)
    return list(dict.fromkeys(found))


def import_graph() -> dict[str, list[str]]:
    """Each module's imports of other modules of the checked packages."""
    known = modules()
    return {
        name: [t for t in imported_modules(module) if t in known and t != name]
        for name, module in known.items()
    }


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle, as ``[a, b, ..., a]``, for each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(name: str) -> None:  # Tarjan's strongly connected components
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in graph.get(name, ()):
            if target not in index:
                connect(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(group)

    for name in sorted(graph):
        if name not in index:
            connect(name)
    return [_cycle_in(graph, group) for group in groups]


def _cycle_in(graph: dict[str, list[str]], group: set[str]) -> list[str]:
    """The shortest cycle through the first (by name) module of a strongly connected group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for name in frontier:
            for target in graph[name]:
                if target == start:
                    return [*paths[name], start]
                if target in group and target not in paths:
                    paths[target] = [*paths[name], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # unreachable for a real group


def test_cycle_finder_reports_the_modules_in_order() -> None:
    """The finder itself: one cycle per group, in import order, acyclic parts ignored."""
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": [], "e": ["f"], "f": ["e"]}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["e", "f", "e"]]
    assert find_cycles({"a": ["b"], "b": []}) == []


def test_import_resolution_follows_the_rules() -> None:
    """Relative, ``from package import submodule`` and ``if TYPE_CHECKING`` imports."""
    known = modules()
    assert "bridge" in known
    assert known["bridge"].is_package
    assert known["bridge.models"].package == "bridge"
    code = (
        "from . import errors\n"  # a submodule: an import of it
        "from .models import Ticket\n"
        "from bridge import get_ticketing_service\n"  # a name: an import of the package
        "import adapters.github._mapping\n"  # not of adapters nor adapters.github
        "from ..bridge.sync import merge\n"
        "if TYPE_CHECKING:\n    import bridge.config\nelse:\n    import bridge.feed\n"
        "def f():\n    from bridge.workflows import helper\n"
    )
    imported = imported_modules(known["bridge.service"], ast.parse(code))
    assert imported == [
        "bridge.errors",
        "bridge.models",
        "bridge",
        "adapters.github._mapping",
        "bridge.sync.merge",
        "bridge.feed",
        "bridge.workflows.helper",
    ]
    everything = imported_modules(known["bridge"], ast.parse(code), skip_type_checking=False)
    assert "bridge.config" in everything
    assert "bridge.errors" in everything, "relative to the package itself in an __init__"


def test_no_import_cycles() -> None:
    """No modules of bridge/ and adapters/ import each other, even from inside functions.

    A cycle means neither module can be understood, tested or loaded without the other; an
    import moved into a function only hides it until that function runs.
    """
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_service_knows_nothing_of_configuration_or_wrapping() -> None:
    """The module of ``class TicketingService`` imports no config, registry, factory or
    resilience module, not even for type checking: they build on the service, not it on them.
    """
    homes = [
        module
        for module in modules().values()
        if any(
            isinstance(node, ast.ClassDef) and node.name == SERVICE_CLASS
            for node in tree(module.path).body
        )
    ]
    assert len(homes) == 1, f"class {SERVICE_CLASS} is defined in {[m.name for m in homes]}"
    imported = imported_modules(homes[0], skip_type_checking=False)
    bad = [
        name
        for name in imported
        if any(
            name == banned or name.startswith(banned + ".") for banned in SERVICE_MUST_NOT_IMPORT
        )
    ]
    assert not bad, f"{homes[0].rel} imports {bad}"


TYPE_IGNORE = re.compile(r"#.*\btype:\s*ignore\b")


def test_no_type_ignore_comments() -> None:
    """Type errors are fixed, not silenced: no ``# type: ignore`` in bridge/ or adapters/."""
    found = []
    for module in modules().values():
        tokens = tokenize.generate_tokens(io.StringIO(source(module.path)).readline)
        found.extend(
            f"{module.rel}:{token.start[0]}: {token.string}"
            for token in tokens
            if token.type == tokenize.COMMENT and TYPE_IGNORE.search(token.string)
        )
    assert not found, "type: ignore comments:\n" + "\n".join(found)


def _is_own(value: ast.expr, classes: tuple[str, ...]) -> bool:
    if isinstance(value, ast.Name):
        return value.id in {"self", "cls", *classes}
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "super"
    )


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def reach_ins(node: ast.AST, classes: tuple[str, ...] = ()) -> Iterator[ast.Attribute]:
    """Each ``x._name`` under ``node`` that reaches into another object.

    Allowed are ``x`` being ``self``, ``cls``, ``super()`` or the name of a class the code
    is in (``Service._lock`` in ``class Service``), dunder names and the allowlisted names.
    """
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield from reach_ins(child, (*classes, child.name))
            continue
        if (
            isinstance(child, ast.Attribute)
            and child.attr.startswith("_")
            and not _is_dunder(child.attr)
            and child.attr not in ALLOWED_PRIVATE_ATTRIBUTES
            and ast.unparse(child) not in ALLOWED_PRIVATE_NAMES
            and not _is_own(child.value, classes)
        ):
            yield child
        yield from reach_ins(child, classes)


def test_reach_in_detection() -> None:
    """What counts as reaching into another object, and what does not."""
    code = (
        "self._a(); cls._b; super()._c(); other._d(); self.x._e; obj.__len__()\n"
        "point._replace(x=1); sys._getframe(1); Thing._f; mod._g._h\n"
        "class Thing:\n    def m(self): return Thing._i, Other._j\n"
    )
    found = sorted(ast.unparse(node) for node in reach_ins(ast.parse(code)))
    assert found == ["Other._j", "Thing._f", "mod._g", "mod._g._h", "other._d", "self.x._e"]


def test_no_reaching_into_other_objects() -> None:
    """No code uses another object's underscore attributes: private means this class only."""
    found = [
        f"{module.rel}:{node.lineno}: {ast.unparse(node)}"
        for module in modules().values()
        for node in reach_ins(tree(module.path))
    ]
    assert not found, "private attributes of other objects:\n" + "\n".join(found)


def functions(module: Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method of ``module`` with its qualified name, nested ones too."""

    def visit(
        node: ast.AST, prefix: str
    ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")
            else:
                yield from visit(child, prefix)

    yield from visit(tree(module.path), "")


def _length(node: ast.stmt) -> int:
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def _check_sizes(
    sizes: dict[str, int], limit: int, allowed: dict[str, tuple[int, str]], unit: str
) -> list[str]:
    problems = []
    for key, size in sorted(sizes.items()):
        ceiling, _reason = allowed.get(key, (limit, ""))
        if size > ceiling:
            problems.append(f"{key}: {size} lines, over the {ceiling} allowed for a {unit}")
    for key, (ceiling, _reason) in sorted(allowed.items()):
        if key not in sizes:
            problems.append(f"{key}: allowed {ceiling} lines but no such {unit}: drop the entry")
        elif sizes[key] <= limit:
            problems.append(f"{key}: {sizes[key]} lines, within {limit}: drop the entry")
    return problems


def test_modules_are_short() -> None:
    """A module is at most 400 lines, a listed exception at most its ceiling."""
    sizes = {m.rel: len(source(m.path).splitlines()) for m in modules().values()}
    problems = _check_sizes(sizes, MAX_MODULE_LINES, LONG_MODULES, "module")
    assert not problems, "\n".join(problems)


def test_functions_are_short() -> None:
    """A function is at most 50 lines (``def`` to its last line), the listed ones excepted."""
    sizes = {
        f"{module.rel}::{name}": _length(node)
        for module in modules().values()
        for name, node in functions(module)
    }
    problems = _check_sizes(sizes, MAX_FUNCTION_LINES, LONG_FUNCTIONS, "function")
    assert not problems, "\n".join(problems)


def test_allowances_give_reasons() -> None:
    """Every exception to a rule says why it is one."""
    for table in (LONG_MODULES, LONG_FUNCTIONS):
        for key, (_ceiling, reason) in table.items():
            assert reason.strip(), key
    for names in (ALLOWED_PRIVATE_ATTRIBUTES, ALLOWED_PRIVATE_NAMES):
        assert all(reason.strip() for reason in names.values())
