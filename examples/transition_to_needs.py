"""Five years from Borås's current model to needs-based allocation, three ways.

In the built-in data the base-year frames are themselves estimated from standard costs, so they
start close to their needs-based share. This example asks a what-if: a needs index shows that
IFO's need is 20 % and SON's 10 % higher than their frames reflect. Every design distributes the total the current model would give (a pure redistribution):

* "at once": the needs-based split from the first year;
* "floor -1 %": the needs-based split, but no committee loses more than 1 % a year, paid for by
  damping the gains of the others;
* "pace, hold-harmless": every committee keeps at least its last frame in cash; committees below
  their needs-based target get the rest, as fast as the total allows.

For each committee the table shows how far its frame is from its needs-based target (the
needs-based split of the same total) in the first and the last year, in per cent.

Run: python examples/transition_to_needs.py
"""

import pandas as pd

import budgetsim as bs
from budgetsim.transitions import FloorWithDamping, PaceOfChange


def distance_from_target(result: bs.Result) -> pd.DataFrame:
    """frame / (needs-based split of the same total) - 1, per year and committee."""
    diagnostics = result.diagnostics.set_index(["year", "committee"])
    if "distance_from_target" in set(diagnostics.name):  # pace of change reports it itself
        return diagnostics.query("name == 'distance_from_target'").value.unstack("committee")
    need = diagnostics.query("name == 'weighted_need'").value
    frames = result.frames.set_index(["year", "committee"]).frame
    target = need / need.groupby("year").transform("sum") * frames.groupby("year").transform("sum")
    return (frames / target - 1).unstack("committee")


def main() -> None:
    scenario = bs.boras(end_year=2028)
    for committee, factor in (("IFN", 1.2), ("SON", 1.1)):
        need = scenario.committee(committee).need
        scenario = scenario.replace_committee(committee, need=need.model_copy(update={"need_index": factor}))
    current = bs.strategies.boras_current()
    needs = bs.strategies.needs_based(total=current)
    designs = {
        "at once": needs,
        "floor -1 %": FloorWithDamping(needs, floor=-0.01),
        "pace, hold-harmless": PaceOfChange(current, target=needs, hold_harmless=True),
    }
    cmp = bs.compare(scenario, designs)
    first, last = scenario.years[0], scenario.years[-1]
    base = pd.Series({c.id: c.base_frame for c in scenario.committees})
    need = cmp.diagnostics.query("strategy == 'at once' and name == 'weighted_need' and year == @first")
    need = need.set_index("committee").value
    start = (base / (need / need.sum() * base.sum()) - 1) * 100
    rows = {("start", str(scenario.base_year)): start}
    for name, result in cmp.results.items():
        distance = distance_from_target(result) * 100
        rows[(name, str(first))] = distance.loc[first]
        rows[(name, str(last))] = distance.loc[last]
    print(f"Distance from the needs-based target, % ({scenario.name}, IFN need +20 %, SON +10 %, same total)")
    print(pd.DataFrame(rows).round(1).to_string())
    bridge = cmp.components.pivot_table(index=["strategy", "year", "committee"], columns="component", values="amount")
    change = (bridge.sum(axis=1) / bridge["base"] - 1) * 100
    print("\nLargest year-on-year cut any committee takes, %")
    print(change.groupby(level="strategy").min().round(2).to_string())


if __name__ == "__main__":
    main()
