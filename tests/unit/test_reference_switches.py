"""The reference server's variants live in one registry (reference/faults.py): every switch it asks for is
registered, every registered one is asked for somewhere, and a customer's scope is decided in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engage_contract import reference
from engage_contract.reference.faults import ALL_AT_ONCE, FAULTS, LEGAL, Switches

SERVER = Path(reference.__file__).parent
MODULES = [path for path in SERVER.glob("*.py") if path.name != "faults.py"]


def _asked() -> dict[str, list[str]]:
    """Every string the server's modules test with `in`, where the container is named after faults or switches."""
    asked: dict[str, list[str]] = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare) or not isinstance(node.left, ast.Constant):
                continue
            for op, right in zip(node.ops, node.comparators):
                named = ast.unparse(right)
                if isinstance(op, (ast.In, ast.NotIn)) and ("faults" in named or "switches" in named):
                    asked.setdefault(node.left.value, []).append(f"{path.name}:{node.lineno}")
    return asked


def test_every_switch_asked_for_is_registered() -> None:
    asked = _asked()
    assert len(asked) > 50, "the parse found too few switches to mean anything"
    assert not {name: where for name, where in asked.items() if name not in FAULTS}


def test_every_registered_switch_is_read_somewhere() -> None:
    # A switch nothing reads is a variant that is the reference server under another name: it proves nothing.
    text = "\n".join(path.read_text(encoding="utf-8") for path in MODULES)
    unread = [name for name in FAULTS if name != ALL_AT_ONCE and f'"{name}"' not in text]
    assert not unread


def test_a_name_no_variant_has_raises_instead_of_reading_as_off() -> None:
    with pytest.raises(KeyError, match="drop-feild"):
        "drop-feild" in Switches(["drop-field"])  # noqa: B015 - the lookup is the test
    with pytest.raises(ValueError, match="unknown fault drop-feild"):
        Switches(["drop-feild"])


def test_all_at_once_spells_out_every_legal_choice() -> None:
    assert Switches([ALL_AT_ONCE]).on == frozenset(LEGAL) and ALL_AT_ONCE not in LEGAL


def test_scope_keeps_faults_to_their_customers_and_legal_choices_everywhere() -> None:
    switches = Switches(["drop-field", "legal-gzip"], customers=["1002"])
    assert "drop-field" in switches.at("1002") and "legal-gzip" in switches.at("1002")
    assert "drop-field" not in switches.at("1001") and "legal-gzip" in switches.at("1001")
    unscoped = Switches(["drop-field"])
    assert unscoped.at("1001") is unscoped
