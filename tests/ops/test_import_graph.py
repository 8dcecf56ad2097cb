"""The layout's promises, checked on the source: no import circles between modules (imports inside
functions count too), and imports run reports → ledgers → (nothing of ours), with wenming/ as
settings and wiring (only its urls.py names the apps)."""
import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("ledgers", "reports", "wenming", "benchmarks")
# (importer's app, imported app) pairs that break the layering.
WRONG_WAY = {("ledgers", "reports"), ("ledgers", "benchmarks"), ("reports", "benchmarks"),
             ("wenming", "ledgers"), ("wenming", "reports"), ("wenming", "benchmarks")}
WIRING = {"wenming.urls"}


def modules():
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def edges(found):
    graph = {name: set() for name in found}
    for name, path in found.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                prefix = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in found else prefix
                           for alias in node.names]
            for target in targets:
                while target and target not in found:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_through_others():
    assert cycles(edges(modules())) == []


def test_imports_run_from_reports_to_ledgers_and_wenming_only_wires():
    wrong = sorted(f"{name} -> {target}" for name, targets in edges(modules()).items() for target in targets
                   if (name.split(".")[0], target.split(".")[0]) in WRONG_WAY and name not in WIRING)
    assert wrong == []


def test_the_check_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
