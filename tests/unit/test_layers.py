"""The layers hold: domain/ does no I/O, and no module of the tree imports itself round a cycle.

Both read the source with `ast` (every import statement, also those inside functions, which still
make one module depend on another), so nothing is imported to check it.
"""

import ast
import sys
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = ("api", "ingest", "relay")
GENERIC = {"change", "once", "commit", "save"}
"""The Helpdesk's generic ways in: kept for tests and benchmarks, never for an entry point."""


def packages() -> list[str]:
    """The top-level packages pyproject installs: the tree whose imports are checked."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if any(fnmatchcase(path.parent.name, p) for p in patterns)
    )


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def tree_modules(root: Path, tops: list[str]) -> dict[str, Path]:
    return {module_name(p, root): p for top in tops for p in sorted((root / top).rglob("*.py"))}


def imports(path: Path, name: str) -> Iterator[tuple[str, list[str]]]:
    """Every import statement of the file as (module, [module.name, …]): `from a import b` may take
    the submodule `a.b`. Relative imports are resolved against the module's own package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [f"{base}.{alias.name}" for alias in node.names]


def allowed_in_domain(module: str) -> bool:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "domain":
        return True
    return module == "eventsourcing.domain" or module.startswith("eventsourcing.domain.")


def forbidden_domain_imports(root: Path, modules: dict[str, Path]) -> dict[str, list[str]]:
    """{file: what it imports that is neither the standard library, domain nor eventsourcing.domain}."""
    found: dict[str, list[str]] = {}
    for name, path in modules.items():
        if name.split(".")[0] != "domain":
            continue
        bad = {
            base
            for base, names in imports(path, name)
            if not allowed_in_domain(base) and not (names and all(map(allowed_in_domain, names)))
        }
        if bad:
            found[path.relative_to(root).as_posix()] = sorted(bad)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the tree's modules it imports (an import of something outside the tree is left out)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        named = {m for base, names in imports(path, name) for m in (base, *names)}
        graph[name] = {m for m in named if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    modules = tree_modules(ROOT, packages())
    assert "domain.ticket" in modules
    assert forbidden_domain_imports(ROOT, modules) == {}


def test_no_two_modules_of_the_tree_import_each_other_round_a_cycle() -> None:
    modules = tree_modules(ROOT, packages())
    assert {"api.bootstrap", "relay.reader", "application.helpdesk"} <= set(modules)
    assert cycles(import_graph(modules)) == []


def on_the_helpdesk(call: ast.Call) -> str | None:
    """The use case's name when the call is `….helpdesk.<name>(…)` or `helpdesk.<name>(…)`."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value
    named = (
        owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    )
    return func.attr if named == "helpdesk" else None


def generic_calls(root: Path, modules: dict[str, Path]) -> list[str]:
    """Entry points' calls on the Helpdesk that hand it a function or use a generic way in."""
    found = []
    for name, path in modules.items():
        if name.split(".")[0] not in ENTRY_POINTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            use_case = on_the_helpdesk(node) if isinstance(node, ast.Call) else None
            if use_case is None:
                continue
            handed = [*node.args, *(k.value for k in node.keywords)]
            if use_case in GENERIC or any(isinstance(a, ast.Lambda) for a in handed):
                found.append(f"{path.relative_to(root).as_posix()}:{node.lineno} helpdesk.{use_case}")
    return found


def test_routes_intake_the_outbox_and_the_cli_call_use_cases_by_name() -> None:
    modules = tree_modules(ROOT, packages())
    assert generic_calls(ROOT, modules) == []


def test_an_entry_point_handing_the_helpdesk_a_lambda_is_reported(tmp_path: Path) -> None:
    modules = write(
        tmp_path,
        {
            "api/__init__.py": "",
            "api/routes.py": (
                "def pause(caller, t):\n"
                "    caller.runtime.helpdesk.pause(t, 'waiting_customer', None, ctx, None)\n"
                "    caller.runtime.helpdesk.change(t, ctx, None, lambda t, s: t.resume(s))\n"
                "    helpdesk.take_in(m, key=lambda x: x)\n"
            ),
        },
    )
    assert generic_calls(tmp_path, modules) == [
        "api/routes.py:3 helpdesk.change",
        "api/routes.py:4 helpdesk.take_in",
    ]


def write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tree_modules(root, sorted({relative.split("/")[0] for relative in files}))


def test_a_domain_module_that_imports_a_database_or_the_store_is_reported(tmp_path: Path) -> None:
    modules = write(
        tmp_path,
        {
            "domain/__init__.py": "",
            "domain/ticket.py": "import json\nfrom eventsourcing import domain\nfrom . import x\n",
            "domain/x.py": "def f():\n    import duckdb\n",
            "domain/y.py": "from eventsourcing.persistence import IntegrityError\nfrom api.app import app\n",
            "api/__init__.py": "",
            "api/app.py": "",
        },
    )
    assert forbidden_domain_imports(tmp_path, modules) == {
        "domain/x.py": ["duckdb"],
        "domain/y.py": ["api.app", "eventsourcing.persistence"],
    }


def test_a_cycle_made_by_an_import_inside_a_function_is_reported(tmp_path: Path) -> None:
    modules = write(
        tmp_path,
        {
            "api/__init__.py": "",
            "api/bootstrap.py": "def build():\n    from relay.reader import read\n",
            "relay/__init__.py": "",
            "relay/reader.py": "from api import bootstrap\n",
            "relay/clock.py": "from relay import reader\n",
        },
    )
    assert cycles(import_graph(modules)) == [["api.bootstrap", "relay.reader"]]
