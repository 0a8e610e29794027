"""No import cycle between the modules of ``src/lifecert``.

Every ``import`` statement counts: at module level, inside functions (a late import only hides a
circle, it does not remove it) and under ``TYPE_CHECKING``. ``from package import name`` points
at ``package.name`` when that is a module, else at ``package``; the implicit import of a
module's parent packages does not count (every submodule would otherwise circle with an
``__init__`` that re-exports it)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def module_names(src: Path = SRC) -> dict[str, Path]:
    names: dict[str, Path] = {}
    for path in sorted((src / "lifecert").rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
    return [f"{target}.{alias.name}" for alias in node.names] + [target]


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    names = module_names(src)
    graph: dict[str, set[str]] = {name: set() for name in names}
    for module, path in names.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = _targets(node, module, path.name == "__init__.py")
            if isinstance(node, ast.ImportFrom):
                # ``from pkg import sub``: the submodule when it is one, else the package.
                found = [t for t in targets[:-1] if t in names]
                targets = found or targets[-1:]
            for target in targets:
                if target in names and target != module:
                    graph[module].add(target)
    return graph


def import_cycle(src: Path = SRC) -> list[str]:
    """One import cycle (``a -> b -> a``) among the modules under ``src``, or []."""
    try:
        TopologicalSorter(import_graph(src)).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_no_import_cycle_in_lifecert() -> None:
    cycle = import_cycle()
    assert cycle == [], "import cycle: " + " -> ".join(cycle)


def test_the_check_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "lifecert"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from lifecert.sub import b\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text("from .. import a\n")
    (package / "c.py").write_text("from lifecert.sub.b import x\n")
    cycle = import_cycle(tmp_path)
    assert set(cycle) == {"lifecert.a", "lifecert.sub.b"}
    (package / "a.py").write_text("import json\n")
    assert import_cycle(tmp_path) == []
