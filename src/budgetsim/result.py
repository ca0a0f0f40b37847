"""The result of one simulation: arrays from the engine, and tidy tables built from them on demand.

Tidy tables (one row per observation) have these columns; a ``draw`` column comes first when the
run has more than one draw. Money is in SEK.

* ``frames``: year, committee, frame
* ``components``: year, committee, component, amount. Per committee-year the components sum to
  the frame exactly; ``base`` is last year's frame, the others are the changes from it (wages,
  prices, efficiency, additions, volume, volume_correction, needs, or a custom strategy's names).
* ``outcomes``: year, committee, frame, need, cost, result, coverage. ``need`` is what meeting the
  year's realised need costs at the base-year standard; ``cost`` is the actual net cost;
  ``result = frame - cost``; ``coverage = frame / need``.
* ``diagnostics``: year, committee, name, value. Numbers that explain a frame but are not part of
  it, e.g. ``volume_uncorrected_error`` (hidden windfall + / saving - of uncorrected forecasts).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from budgetsim.engine.arrays import ScenarioArrays


@dataclass(frozen=True, eq=False)
class RunArrays:
    """Engine output, each array shaped (draws, years, committees), SEK."""

    frame: np.ndarray
    components: dict[str, np.ndarray]  # "base" first; all sum to frame
    info: dict[str, np.ndarray]
    need: np.ndarray
    cost: np.ndarray


class Result:
    """One strategy simulated on one scenario. See the module docstring for the tables."""

    def __init__(self, scenario: ScenarioArrays, strategy: str, raw: RunArrays) -> None:
        self.scenario = scenario
        self.strategy = strategy
        self.raw = raw

    def __repr__(self) -> str:
        s = self.scenario
        return (
            f"<Result {self.strategy!r}: {len(s.committees)} committees, "
            f"{int(s.years[0])}-{int(s.years[-1])}, {self.raw.frame.shape[0]} draw(s)>"
        )

    def _index(self) -> dict[str, np.ndarray]:
        D, T, C = self.raw.frame.shape
        draw, t, c = np.meshgrid(np.arange(D), np.arange(T), np.arange(C), indexing="ij")
        columns = {
            "year": self.scenario.years[t.ravel()],
            "committee": np.array(self.scenario.committees, dtype=object)[c.ravel()],
        }
        return {"draw": draw.ravel(), **columns} if D > 1 else columns

    def _wide(self, values: dict[str, np.ndarray]) -> pd.DataFrame:
        return pd.DataFrame({**self._index(), **{k: v.ravel() for k, v in values.items()}})

    def _long(self, values: dict[str, np.ndarray], key: str, value: str) -> pd.DataFrame:
        wide = self._wide(values)
        ids = [c for c in wide.columns if c not in values]
        long = wide.melt(id_vars=ids, var_name=key, value_name=value)
        long[key] = pd.Categorical(long[key], categories=list(values))
        return long.sort_values([*ids, key], kind="stable").reset_index(drop=True).astype({key: str})

    @cached_property
    def frames(self) -> pd.DataFrame:
        """year, committee, frame (SEK)."""
        return self._wide({"frame": self.raw.frame})

    @cached_property
    def components(self) -> pd.DataFrame:
        """year, committee, component, amount (SEK); per committee-year they sum to the frame."""
        return self._long(self.raw.components, "component", "amount")

    @cached_property
    def outcomes(self) -> pd.DataFrame:
        """year, committee, frame, need, cost, result (= frame - cost), coverage (= frame / need)."""
        r = self.raw
        return self._wide(
            {"frame": r.frame, "need": r.need, "cost": r.cost, "result": r.frame - r.cost, "coverage": r.frame / r.need}
        )

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        """year, committee, name, value: explanatory numbers that are not part of the frame."""
        if not self.raw.info:
            return pd.DataFrame(columns=[*self._index(), "name", "value"])
        return self._long(self.raw.info, "name", "value")
