"""The packages are the layers (engage_contract/__init__.py): no module imports from a layer above its own, and
the reference server imports the foundation only. Every import counts, those inside functions and under
TYPE_CHECKING too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "engage_contract"
# Lowest first. A module of the package's top level is the foundation unless named here.
LAYERS = ("foundation", "http", "judging", "probes", "reporting", "running", "plugin")
TOP_LEVEL = {"plugin": "plugin"}
# Beside the layers: it knows the contract, not the suite, and only the layers that run a suite start it.
REFERENCE = "reference"
MAY_START_THE_REFERENCE = {"running", "plugin"}


def layer_of(module: str) -> str:
    """engage_contract.judging.checks.identity -> judging; engage_contract.config -> foundation."""
    parts = module.split(".")[1:]
    if not parts or parts == ["__init__"]:
        return "foundation"
    if parts[0] in LAYERS or parts[0] == REFERENCE:
        return parts[0]
    return TOP_LEVEL.get(parts[0], "foundation")


def imported(source: str, module: str) -> set[str]:
    """The engage_contract modules a module's source imports (relative imports resolved)."""
    found = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "engage_contract" or name.startswith("engage_contract.")}


def broken_rules(module: str, imports: set[str]) -> list[str]:
    """Why each import of a module breaks the layering, if it does."""
    mine = layer_of(module)
    problems = []
    for name in sorted(imports):
        theirs = layer_of(name)
        if name == "engage_contract" or theirs == mine:
            continue
        if mine == REFERENCE:
            if theirs != "foundation":
                problems.append(f"{module} ({REFERENCE}) imports {name} ({theirs}): it may import the foundation only")
        elif theirs == REFERENCE:
            if mine not in MAY_START_THE_REFERENCE:
                problems.append(f"{module} ({mine}) imports {name}: only {sorted(MAY_START_THE_REFERENCE)} start it")
        elif LAYERS.index(theirs) > LAYERS.index(mine):
            problems.append(f"{module} ({mine}) imports {name} ({theirs}), a layer above it")
    return problems


def _modules() -> dict[str, str]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        found[".".join(relative.parts).removesuffix(".__init__")] = path.read_text(encoding="utf-8")
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    problems = [problem for module, source in _modules().items()
                for problem in broken_rules(module, imported(source, module))]
    assert not problems, "\n".join(problems)


def test_every_package_is_a_layer() -> None:
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(LAYERS) | {REFERENCE}, packages
    assert all(layer_of(module) in (*LAYERS, REFERENCE) for module in _modules())


def test_a_lower_layer_importing_a_higher_one_is_caught() -> None:
    # The rule can fail: a judge that reached into a run, and a reference server that used the suite's client.
    assert broken_rules("engage_contract.judging.judge",
                        imported("from engage_contract.running import lanes\n", "engage_contract.judging.judge"))
    assert broken_rules("engage_contract.reference.app",
                        imported("def f():\n    from engage_contract.http import client\n", "engage_contract.reference.app"))
    assert broken_rules("engage_contract.config",
                        imported("from engage_contract.reporting.summary import PATH\n", "engage_contract.config"))
    assert not broken_rules("engage_contract.running.lanes",
                            imported("from engage_contract.judging import judge\n", "engage_contract.running.lanes"))
