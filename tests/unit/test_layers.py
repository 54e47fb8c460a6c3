"""The packages are the layers (engage_contract/__init__.py): no module imports from a layer above its own, and
the reference server imports the contract and the tz database only. Every import counts: those inside
functions, under TYPE_CHECKING, relative ones, and importlib.import_module's of a literal name."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "engage_contract"
# Lowest first. A module of the package's top level is the foundation unless named here.
LAYERS = ("foundation", "http", "judging", "probes", "reporting", "running", "plugin")
TOP_LEVEL = {"plugin": "plugin"}
# Beside the layers: it knows the contract (and the tz database it geocodes with), not the suite; only the layers
# that run a suite start it.
REFERENCE = "reference"
REFERENCE_MAY_IMPORT = {"engage_contract.contract", "engage_contract.tzdb"}
MAY_START_THE_REFERENCE = {"running", "plugin"}
FOUNDATION = {"config", "contract", "tzdb", "scrub", "internals"}


def layer_of(module: str) -> str:
    """engage_contract.judging.checks.identity -> judging; engage_contract.config -> foundation; a module of no
    layer is a mistake of the tree (a new package must take its place among the layers)."""
    parts = module.split(".")[1:]
    if not parts:
        return "foundation"
    if parts[0] in LAYERS or parts[0] == REFERENCE:
        return parts[0]
    if parts[0] in TOP_LEVEL:
        return TOP_LEVEL[parts[0]]
    if parts[0] in FOUNDATION:
        return "foundation"
    raise LookupError(f"{module} is in no layer: add it to LAYERS, TOP_LEVEL or FOUNDATION")


def imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """The engage_contract modules a module's source imports, relative imports resolved (from a package's
    __init__, relative to the package itself)."""
    found = set()
    package = module if is_package else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level \
                else node.module or ""
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
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
            if not any(name == allowed or name.startswith(f"{allowed}.") for allowed in REFERENCE_MAY_IMPORT):
                problems.append(f"{module} ({REFERENCE}) imports {name}: it may import {sorted(REFERENCE_MAY_IMPORT)} only")
        elif theirs == REFERENCE:
            if mine not in MAY_START_THE_REFERENCE:
                problems.append(f"{module} ({mine}) imports {name}: only {sorted(MAY_START_THE_REFERENCE)} start it")
        elif LAYERS.index(theirs) > LAYERS.index(mine):
            problems.append(f"{module} ({mine}) imports {name} ({theirs}), a layer above it")
    return problems


def _modules() -> dict[str, tuple[str, bool]]:
    """Module name -> (its source, whether it is a package's __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        found[name.removesuffix(".__init__")] = (path.read_text(encoding="utf-8"), name.endswith(".__init__"))
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    problems = [problem for module, (source, is_package) in _modules().items()
                for problem in broken_rules(module, imported(source, module, is_package))]
    assert not problems, "\n".join(problems)


def test_every_package_is_a_layer() -> None:
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(LAYERS) | {REFERENCE}, packages
    assert all(layer_of(module) in (*LAYERS, REFERENCE) for module in _modules())


def test_a_module_of_no_layer_is_a_mistake() -> None:
    with pytest.raises(LookupError, match="in no layer"):
        layer_of("engage_contract.helpers")


def test_a_lower_layer_importing_a_higher_one_is_caught() -> None:
    # The rule can fail: a judge that reached into a run, and a reference server that used the suite's client.
    assert broken_rules("engage_contract.judging.judge",
                        imported("from engage_contract.running import lanes\n", "engage_contract.judging.judge"))
    assert broken_rules("engage_contract.reference.app",
                        imported("def f():\n    from engage_contract.http import client\n", "engage_contract.reference.app"))
    assert broken_rules("engage_contract.config",
                        imported("from engage_contract.reporting.summary import PATH\n", "engage_contract.config"))
    assert broken_rules("engage_contract.reference.app",
                        imported("from engage_contract import config\n", "engage_contract.reference.app"))
    # Relative, from a package's __init__ and from a module; and by importlib.
    assert broken_rules("engage_contract.http", imported("from ..running import lanes\n", "engage_contract.http", True))
    assert broken_rules("engage_contract.http.client",
                        imported("from ..reporting import page\n", "engage_contract.http.client"))
    # The client knows the readings by their Protocol only: the observers are judging's, a layer above it.
    assert broken_rules("engage_contract.http.client",
                        imported("from engage_contract.judging.silences import Readings\n", "engage_contract.http.client"))
    assert imported("from .client import Client\n", "engage_contract.http", True) >= {"engage_contract.http.client"}
    assert broken_rules("engage_contract.judging.judge", imported(
        "import importlib\nimportlib.import_module('engage_contract.plugin')\n", "engage_contract.judging.judge"))
    assert not broken_rules("engage_contract.running.lanes",
                            imported("from engage_contract.judging import judge\n", "engage_contract.running.lanes"))
    assert not broken_rules("engage_contract.reference.store",
                            imported("from engage_contract.contract import Contract\n", "engage_contract.reference.store"))
