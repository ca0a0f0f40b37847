"""What the process around the model does: Borås's observed practice against a regime with no
write-offs where surpluses are kept, and against three-year frames, all with Borås's current
allocation model on the built-in data.

Run: python examples/budget_process.py
"""

import pandas as pd

import budgetsim as bs
from budgetsim.datasets.boras import boras_practice, kept_surpluses

MSEK = 1e6


def main() -> None:
    scenario = bs.default_scenario()
    current = bs.strategies.boras_current()
    cmp = bs.compare(
        scenario,
        {
            "Borås practice": (current, boras_practice()),
            "no write-offs, surpluses kept": (current, kept_surpluses()),
            "Borås practice, 3-year frames": (current, boras_practice(frame_period=3)),
        },
    )
    m = cmp.metrics.set_index("strategy")
    money = ["deficits", "surpluses", "written_off", "clawed_back", "debt_end", "accumulated_end"]
    ratios = ["mean_coverage", "request_share", "request_need_departure", "planning_gap"]
    table = pd.concat([(m[money] / MSEK).map("{:,.1f}".format), m[ratios].map("{:.3f}".format)], axis=1).T
    print(f"{scenario.name} {scenario.years[0]}-{scenario.years[-1]}, current model (MSEK, summed over the years)")
    print(table.to_string())
    ye = pd.concat({name: r.year_end for name, r in cmp.results.items()}, names=["regime"]).reset_index(level=0)
    last = ye[ye.year == scenario.years[-1]].pivot(index="committee", columns="regime", values="accumulated") / MSEK
    print(f"\nAccumulated result (eget kapital) at the end of {scenario.years[-1]}, MSEK")
    print(last[list(cmp.results)].to_string(float_format="{:,.1f}".format))


if __name__ == "__main__":
    main()
