"""The strategy axiom kit on every built-in strategy and transition rule, and on strategies that
break an axiom on purpose (the kit must catch them)."""

import numpy as np
import pytest
from factory import economy, make_scenario

import budgetsim as bs
from budgetsim.testing import CATALOGUE, verify
from budgetsim.testing.axioms import AxiomViolation, scale_money, symmetric
from budgetsim.testing.catalogue import expected, table

pytestmark = pytest.mark.slow  # end to end: pytest -m "not slow" leaves it out


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_builtin_satisfies_exactly_its_documented_axioms(name: str) -> None:
    entry = CATALOGUE[name]
    report = verify(entry.make(), max_examples=20, total=entry.total() if entry.total else None, shrink=False)
    found = dict(zip(report.axiom, report.holds, strict=True))
    assert found == expected(entry), report[report.holds != True].to_string()


def test_the_kit_catches_a_strategy_that_loses_money() -> None:
    def truncating(ctx):  # whole MSEK only: the remainder is lost
        frames = bs.money.apportion(ctx.total_available, ctx.weighted_need)
        return {"needs": np.floor(frames / 1e6) * 1e6 - ctx.last_frame}

    report = verify(truncating, ["sums_to_total", "symmetric"], max_examples=10)
    assert report.set_index("axiom").holds.to_dict() == {"sums_to_total": False, "symmetric": True}
    assert "frames differ from the total by up to" in report.counterexample.iloc[0]


def test_the_kit_catches_favouritism() -> None:
    def favour_first(ctx):
        bonus = np.zeros(len(ctx.committees))
        bonus[0] = 1e6
        return {"bonus": bonus}

    with pytest.raises(AxiomViolation, match="identical twin get different frames"):
        symmetric(favour_first, make_scenario())


def test_scale_money_scales_every_amount() -> None:
    s = make_scenario(
        economy=economy(revenue={2024: 1e9, 2025: 1e9}), additions=[{"year": 2024, "committee": "OMS", "amount": 5.0}]
    )
    t = scale_money(s, 2.0)
    assert t.committee("SKOL").base_frame == 200e6
    assert t.committee("SKOL").volume_drivers[0].price == 200_000
    assert t.committee("OMS").need.weights[1].weight == 18
    assert t.economy.revenue == {2024: 2e9, 2025: 2e9} and t.additions[0].amount == 10.0


def test_unknown_axiom_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown axiom\(s\) \['fairness'\]"):
        verify(bs.strategies.incremental(), ["fairness"])


def test_documentation_table_lists_every_entry() -> None:
    rows = table()
    assert [r[0] for r in rows] == list(CATALOGUE)
    incremental = {r[0]: r for r in rows}["incremental"]
    assert "need_responsive: frames do not depend on need" in incremental[2]


def test_alabama_check_uses_the_revenue_path_when_that_is_the_total() -> None:
    from budgetsim.testing.axioms import no_alabama_paradox

    def perverse(ctx):  # gives FSN less the more there is
        frames = bs.money.apportion(ctx.total_available, ctx.weighted_need)
        frames[:, 0] = 3e9 - 0.2 * ctx.total_available
        return {"needs": frames - ctx.last_frame}

    with pytest.raises(AxiomViolation, match=r"5 % more in total gives \['FSN'\] less in 2024"):
        no_alabama_paradox(perverse, bs.default_scenario())


def test_verify_reports_unaffordable_rules_instead_of_crashing() -> None:
    floor_half = bs.transitions.FloorWithDamping(bs.strategies.needs_based(), floor=0.5)
    report = verify(floor_half, ["symmetric"], max_examples=5)
    assert report.holds.tolist() == [None] and "no affordable example" in report.counterexample.iloc[0]


def test_verify_shows_progress_over_the_axioms(capsys) -> None:
    report = verify(bs.strategies.incremental(), ["symmetric", "deterministic"], max_examples=2, progress=True)
    assert report.axiom.tolist() == ["symmetric", "deterministic"]
    shown = capsys.readouterr().err
    assert "axioms: 100%" in shown and "2/2" in shown
