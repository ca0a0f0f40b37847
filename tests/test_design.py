"""Designing a transition: constraints hold on every committee-year of a feasible design, the
Pareto set is exactly the undominated designs, and the recommended design runs again from its
run file with the same numbers."""

import numpy as np
import pytest

import budgetsim as bs
from budgetsim.design import OBJECTIVES, design_transition
from budgetsim.io import load_run

S = bs.default_scenario()
CURRENT = bs.strategies.boras_current()
TARGET = bs.strategies.needs_based(total=CURRENT)


@pytest.fixture(scope="module")
def design():
    return design_transition(S, CURRENT, TARGET, max_loss=0.009)


def test_feasible_designs_keep_the_loss_and_the_total_on_every_committee_year(design) -> None:
    table = design.candidates.set_index("design")
    feasible = table.index[table.feasible]
    assert 0 < len(feasible) < len(table)  # the loss limit binds: some designs are out
    base = {c.id: c.base_frame for c in S.committees}
    totals = bs.simulate(S, CURRENT).frames.groupby("year").frame.sum()
    for name in table.index:
        run = bs.simulate(S, design.strategies[name])
        frames = run.frames.pivot(index="committee", columns="year", values="frame")
        previous = np.column_stack([[base[c] for c in frames.index], frames.to_numpy()[:, :-1]])
        worst = -(frames.to_numpy() / previous - 1).min()
        assert (worst <= 0.009 + 1e-12) == (name in feasible or "total" in table.violation[name]), name
        assert np.allclose(run.frames.groupby("year").frame.sum(), totals, rtol=0, atol=1.0), name  # budget-neutral


def test_the_pareto_set_is_exactly_the_undominated_feasible_designs(design) -> None:
    table = design.candidates[design.candidates.feasible]
    values = table[list(OBJECTIVES)].to_numpy()
    for i, (_, row) in enumerate(table.iterrows()):
        others = np.delete(values, i, axis=0)
        dominated = ((others <= values[i]).all(axis=1) & (others < values[i]).any(axis=1)).any()
        assert row.pareto == (not dominated), row.design
    assert not design.candidates[~design.candidates.feasible].pareto.any()
    assert design.recommended in design.pareto.design.tolist()
    assert design.explain("en").startswith(design.recommended) and "år" in design.explain("sv")


def test_the_recommended_design_runs_again_from_its_run_file(design, tmp_path) -> None:
    run = load_run(design.save_run(tmp_path / "design.yaml", scenario=S))
    again = bs.compare(run.scenario, run.strategies)
    original = design.comparison.frames.query("strategy == @design.recommended").frame.to_numpy()
    assert np.allclose(again.frames.query("strategy == 'design'").frame.to_numpy(), original, rtol=1e-12)


def test_no_feasible_design_is_an_error_that_says_what_to_loosen() -> None:
    with pytest.raises(ValueError, match="no design meets the constraints; loosen them"):
        design_transition(S, CURRENT, TARGET, {"floor": [{"floor": -0.03}]}, min_coverage=1.5)
    with pytest.raises(ValueError, match="family 'wishful': unknown; known: blend, pace, floor, loss_cap"):
        design_transition(S, CURRENT, TARGET, {"wishful": [{}]})
