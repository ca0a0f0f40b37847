"""A snapshot of the README's comparison (the built-in Borås data in its budget process): every
strategy's metrics and every frame, pinned in snapshots/boras.csv. A change that moves any of
them fails with a table of what moved; `pytest examples/policy_tests --update-snapshots` rewrites
the file when the change is meant (review the diff before committing it)."""

from pathlib import Path

import budgetsim as bs
from budgetsim.policy import snapshot

HERE = Path(__file__).parent


def test_the_readme_comparison_is_pinned(boras_scenario: bs.Scenario) -> None:
    dataset = bs.dataset("boras")
    comparison = bs.compare(boras_scenario, dataset.strategies(boras_scenario), dataset.process("boras_practice"))
    snapshot(comparison, HERE / "snapshots" / "boras.csv", money=1.0, share=1e-9)
