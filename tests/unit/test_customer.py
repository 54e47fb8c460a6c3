"""How two representations of a customer compare."""

from __future__ import annotations

from engage_contract.judging.customer import differences, same


def test_date_times_are_the_same_instant_only_when_both_parse() -> None:
    assert same("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000+00:00")
    assert not same("2024-13-01T00:00:00Z", "2024-14-01T00:00:00Z")  # no month 13 or 14: two strings that differ
    assert same("2024-13-01T00:00:00Z", "2024-13-01T00:00:00Z")
    assert [d.where for d in differences({"updatedAt": "2024-13-01T00:00:00Z"},
                                         {"updatedAt": "2024-14-01T00:00:00Z"})] == ["updatedAt"]
