"""The structure in one picture: yishi (the host) → execution → minutes → meeting → voting, arrows only downward.

The import graph is read from the source (every ``import`` and ``from … import``, at module level and inside
functions alike): no module imports a part above its own, no two modules import each other however indirectly, and
no module imports after its first function or class (an import at the bottom of a file hides a circle).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("voting", "meeting", "minutes", "execution", "yishi")  # bottom first
# the host's factory at its old address (tests, benchmarks and scripts import it): the one arrow up, to the host
OLD_ADDRESS = ("meeting.app", "yishi.host")


def _modules() -> dict[str, Path]:
    found = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _known(name: str) -> str | None:
    """The project's module that ``name`` is, or lies in (``meeting.db.unit_of_work`` → ``meeting.db``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        # ``from . import views`` imports the module meeting.views; ``from .db import engine`` the module meeting.db
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
    return {known for name in names if (known := _known(name)) is not None and known != module}


def _graph() -> dict[str, dict[str, int]]:
    """module → {module it imports: the line of the first such import}."""
    graph = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(module, path, node):
                    edges.setdefault(target, node.lineno)
    return graph


GRAPH = _graph()


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def _circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    for start, targets_of_start in graph.items():
        if start in index:
            continue
        work = [(start, iter(targets_of_start))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_graph_is_read():
    """The reader sees the arrows it checks: the host lists every part, the parts point down."""
    assert {"meeting.part", "minutes.part", "execution.part"} <= set(GRAPH["yishi.host"])
    assert "meeting.db" in GRAPH["minutes.views"] and "minutes.views" in GRAPH["minutes.tablet"]
    assert "meeting.migrations" in GRAPH["meeting.db"]  # inside create_schema: imports in functions are arrows too
    assert "voting.vocabulary" in GRAPH["meeting.part"]  # a module-level ``from voting import vocabulary``


def test_no_module_imports_a_part_above_its_own():
    upward = [
        f"{module} → {target} (line {line})"
        for module, edges in GRAPH.items()
        for target, line in edges.items()
        if _layer(target) > _layer(module) and (module, target) != OLD_ADDRESS
    ]
    assert upward == []


def test_nothing_imports_the_hosts_old_address():
    """meeting.app only re-exports the host's factory: a part importing it would point up through it."""
    assert [module for module, edges in GRAPH.items() if OLD_ADDRESS[0] in edges] == []


def test_no_import_circles():
    assert _circles(GRAPH) == []


def test_the_circle_finder_finds_circles():
    assert _circles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_after_the_first_function_or_class():
    late = []
    for module, path in MODULES.items():
        first = None
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = first or node.lineno
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and first:
                late.append(f"{module}:{node.lineno}")
    assert late == []
