"""One door for private APIs: a private name of another package (schemathesis, hypothesis, pytest, requests, urllib3,
the standard library) is used in engage_contract/internals.py only, whose version gate names every package it
relies on. A private name is one with a leading underscore that engage_contract does not define itself: an
attribute read or written, a private module imported, a name passed to getattr/setattr/hasattr, or a method of a
foreign base class overridden."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "engage_contract"
DOOR = PACKAGE / "internals.py"
# Underscored by their packages to stay out of the way of user names, and documented as public.
PUBLIC_ANYWAY = {"_replace", "_asdict", "_fields", "_make", "_exit", "_missing_", "_generate_next_value_"}
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in PUBLIC_ANYWAY


def defined_names(sources: list[str]) -> set[str]:
    """The names engage_contract gives things itself: its functions, classes, variables, arguments, and attributes
    of its own objects (self.x, cls.x)."""
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
            elif isinstance(node, ast.arg):
                found.add(node.arg)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.add(node.attr)
    return found


def _foreign_bases(tree: ast.Module) -> dict[str, object]:
    """The classes imported from other packages, by the name the module knows them by."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                not node.module.startswith("engage_contract"):
            for alias in node.names:
                try:
                    value = getattr(importlib.import_module(node.module), alias.name)
                except (ImportError, AttributeError):
                    continue
                if isinstance(value, type):
                    found[alias.asname or alias.name] = value
    return found


def private_uses(source: str, defined: set[str]) -> list[str]:
    """Each use of another package's private name in a module's source, as `line: what`."""
    tree = ast.parse(source)
    found = []
    bases = _foreign_bases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in defined:
            found.append(f"{node.lineno}: .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ATTRIBUTE_FUNCTIONS
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
              and _private(node.args[1].value) and node.args[1].value not in defined):
            found.append(f"{node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            if any(_private(part) for name in names for part in name.split(".")):
                found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {alias.name}" for alias in node.names
                      if any(_private(part) for part in alias.name.split("."))]
        elif isinstance(node, ast.ClassDef):
            foreign = [bases[base.id] for base in node.bases if isinstance(base, ast.Name) and base.id in bases]
            for member in node.body:
                name = getattr(member, "name", None)
                if isinstance(name, str) and _private(name) and any(hasattr(base, name) for base in foreign):
                    found.append(f"{member.lineno}: {node.name}.{name} overrides a private name")
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_private_apis_only_behind_the_door() -> None:
    defined = defined_names([path.read_text() for path in _modules()])
    outside = {str(path.relative_to(PACKAGE)): uses for path in _modules() if path != DOOR
               if (uses := private_uses(path.read_text(), defined))}
    assert not outside, f"private APIs outside engage_contract/internals.py: {outside}"


@pytest.mark.parametrize("planted", [
    "def f(response):\n    response.raw._fp = None\n",
    "def f(response):\n    return response._content_consumed\n",
    "def f(config):\n    return getattr(config, '_fixtureinfo')\n",
    "from _pytest.junitxml import xml_key\n",
    "import schemathesis.pytest._test_builder\n",
    "from schemathesis.core.failures import Failure\nclass Mine(Failure):\n    def _unique_key(self):\n        return ''\n",
    "from http import HTTPStatus\nok = 200 in HTTPStatus._value2member_map_\n",
])
def test_a_planted_private_use_is_found(planted: str) -> None:
    defined = defined_names([path.read_text() for path in _modules()])
    assert private_uses(planted, defined)


def test_our_own_private_names_are_ours() -> None:
    source = "class A:\n    def __init__(self):\n        self._mine = 1\n    def _helper(self):\n        return self._mine\n"
    assert not private_uses(source, defined_names([source]))


def test_the_version_gate_names_every_package_the_door_relies_on() -> None:
    from engage_contract import internals

    tree = ast.parse(DOOR.read_text())
    imported = {node.module.split(".")[0].removeprefix("_") for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                and not node.module.startswith("__")} | \
               {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    third_party = {name for name in imported if name not in sys.stdlib_module_names}
    assert third_party <= set(internals.WRITTEN_FOR), third_party - set(internals.WRITTEN_FOR)
    assert {"requests", "urllib3"} <= set(internals.WRITTEN_FOR)
