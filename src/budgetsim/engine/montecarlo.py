"""Monte Carlo: many draws of a scenario's uncertainty, run in chunks over the draws axis, with
summaries that stream (memory does not grow with the number of draws).

Per budget year and committee it keeps, for frame, need, cost, result and coverage: sums and sums
of squares per block of draws (added in block order, so the numbers do not depend on the chunk
size), and a histogram for quantiles. The histogram's range is set from the first block (the mean
+- 12 standard deviations, wider if needed to hold that block), so it too is the same for every
chunking; a quantile is exact to within one of its 4,096 bins, and outside the range the exact
minimum or maximum is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import StrategyLike
from budgetsim.core.random import BLOCK
from budgetsim.engine.run import RunArrays, run_years
from budgetsim.engine.sampling import sample
from budgetsim.process.rules import BudgetProcess
from budgetsim.scenario.uncertainty import Uncertainty

QUANTITIES = ("frame", "need", "cost", "result", "coverage")
DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BINS = 4096
SPAN_SDS = 12.0


def quantile_name(q: float) -> str:
    """The column of a quantile: 0.05 -> 'q5', 0.995 -> 'q99.5'."""
    return f"q{q * 100:.10g}"


def _values(raw: RunArrays) -> dict[str, np.ndarray]:
    return {
        "frame": raw.frame,
        "need": raw.need,
        "cost": raw.cost,
        "result": raw.frame - raw.cost,
        "coverage": raw.frame / raw.need,
        "deficit": np.maximum(raw.cost - raw.frame, 0.0),
        "in_deficit": (raw.frame < raw.cost).astype(float),
    }


class StreamingSummary:
    """Accumulates draws chunk by chunk; :meth:`summary` and :meth:`risk` read it out."""

    def __init__(self, years: np.ndarray, committees: tuple[str, ...], quantiles: Sequence[float]) -> None:
        self.years, self.committees, self.quantiles = years, committees, tuple(quantiles)
        self.sums: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        self.count = 0
        shape = (len(QUANTITIES), len(years), len(committees))
        self.low: np.ndarray | None = None
        self.width: np.ndarray | None = None
        self.offsets: np.ndarray | None = None
        self.hist = np.zeros((*shape, BINS + 2), dtype=np.int64)
        self.min = np.full(shape, np.inf)
        self.max = np.full(shape, -np.inf)

    def add(self, raw: RunArrays, first: int) -> None:
        values = _values(raw)
        D = raw.frame.shape[0]
        for start in range(0, D, BLOCK):
            block = (first + start) // BLOCK
            self.sums[block] = {}
            for key, v in values.items():
                part = v[start : start + BLOCK]
                self.sums[block][key] = (part.sum(axis=0), np.einsum("dtc,dtc->tc", part, part))
        stacked = np.stack([values[q] for q in QUANTITIES], axis=1)  # (D, Q, T, C)
        if self.low is None:
            if first != 0:
                raise ValueError("the first chunk must start at draw 0")
            pilot = stacked[:BLOCK]
            mean, sd = pilot.mean(axis=0), pilot.std(axis=0)
            half = np.maximum(SPAN_SDS * sd, np.maximum(np.abs(mean) * 1e-6, 1e-9))
            self.low = np.minimum(mean - half, pilot.min(axis=0))
            self.width = (np.maximum(mean + half, pilot.max(axis=0)) - self.low) / BINS
            cells = int(np.prod(self.hist.shape[:-1]))
            self.offsets = (np.arange(cells, dtype=np.int32) * (BINS + 2)).reshape(self.hist.shape[:-1])
        assert self.low is not None and self.width is not None and self.offsets is not None
        scaled = (stacked - self.low) / self.width
        np.clip(scaled, -1.0, BINS, out=scaled)  # below the range: bin 0; above: bin BINS + 1
        index = np.floor(scaled).astype(np.int32)
        index += self.offsets + 1
        self.hist += np.bincount(index.ravel(), minlength=self.hist.size).reshape(self.hist.shape)
        self.min = np.minimum(self.min, stacked.min(axis=0))
        self.max = np.maximum(self.max, stacked.max(axis=0))
        self.count += D

    def _moments(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        blocks = [self.sums[b][key] for b in sorted(self.sums)]
        total = np.sum(np.stack([s for s, _ in blocks]), axis=0)
        squares = np.sum(np.stack([q for _, q in blocks]), axis=0)
        mean = total / self.count
        return mean, np.sqrt(np.maximum(squares / self.count - mean**2, 0.0))

    def _quantile(self, q: float) -> np.ndarray:
        cumulative = np.cumsum(self.hist, axis=-1)
        target = q * self.count
        bin_index = np.argmax(cumulative >= target, axis=-1)  # first bin reaching the target
        before = np.take_along_axis(cumulative, np.maximum(bin_index - 1, 0)[..., None], axis=-1)[..., 0]
        before = np.where(bin_index == 0, 0, before)
        inside = np.take_along_axis(self.hist, bin_index[..., None], axis=-1)[..., 0]
        fraction = np.divide(target - before, inside, out=np.zeros(inside.shape), where=inside > 0)
        assert self.low is not None and self.width is not None
        value = self.low + (bin_index - 1 + fraction) * self.width
        value = np.where(bin_index == 0, self.min, value)
        value = np.where(bin_index == BINS + 1, self.max, value)
        return np.clip(value, self.min, self.max)

    def _tidy(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        T, C = len(self.years), len(self.committees)
        t, c = np.meshgrid(np.arange(T), np.arange(C), indexing="ij")
        index = {"year": self.years[t.ravel()], "committee": np.array(self.committees, dtype=object)[c.ravel()]}
        return pd.DataFrame({**index, **{k: v.ravel() for k, v in columns.items()}})

    def summary(self) -> pd.DataFrame:
        """year, committee, quantity, mean, sd, and one column per quantile (q5, q50, q99.5, ...)."""
        quantiles = {quantile_name(q): self._quantile(q) for q in sorted(self.quantiles)}
        parts = []
        for i, name in enumerate(QUANTITIES):
            mean, sd = self._moments(name)
            part = self._tidy({"mean": mean, "sd": sd, **{k: v[i] for k, v in quantiles.items()}})
            part.insert(2, "quantity", name)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def risk(self) -> pd.DataFrame:
        """year, committee, prob_deficit, expected_deficit (SEK), expected_coverage."""
        return self._tidy(
            {
                "prob_deficit": self._moments("in_deficit")[0],
                "expected_deficit": self._moments("deficit")[0],
                "expected_coverage": self._moments("coverage")[0],
            }
        )


def run_monte_carlo(
    arrays: ScenarioArrays,
    uncertainty: Uncertainty,
    strategy: StrategyLike,
    *,
    draws: int,
    seed: int,
    label: str,
    process: BudgetProcess | None = None,
    chunk_size: int = 2 * BLOCK,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    keep_draws: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[StreamingSummary, RunArrays | None]:
    """Run ``draws`` draws in chunks of ``chunk_size`` (rounded up to whole blocks of 1,024): the
    streaming summary, and with ``keep_draws`` the per-draw engine output of all chunks."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    if any(not 0 < q < 1 for q in quantiles):
        raise ValueError(f"quantiles must be in (0, 1), got {list(quantiles)}")
    if len({quantile_name(q) for q in quantiles}) != len(quantiles):
        raise ValueError(f"quantiles must differ, got {list(quantiles)}")
    chunk = max(BLOCK, -(-chunk_size // BLOCK) * BLOCK)
    stream = StreamingSummary(arrays.years, arrays.committees, quantiles)
    kept: list[RunArrays] = []
    for first in range(0, draws, chunk):
        count = min(chunk, draws - first)
        raw, _ = run_years(sample(arrays, uncertainty, first, count, seed), strategy, label, process)
        stream.add(raw, first)
        if keep_draws:
            kept.append(raw)
        if progress is not None:
            progress(count)
    return stream, _concatenate(kept) if keep_draws else None


def _concatenate(runs: list[RunArrays]) -> RunArrays:
    """One run over all draws (process tables are not kept). A component that some chunk did not
    produce is zero there."""

    def joined(pick: Callable[[RunArrays], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        keys = list(dict.fromkeys(k for r in runs for k in pick(r)))
        return {k: np.concatenate([pick(r).get(k, np.zeros_like(r.frame)) for r in runs]) for k in keys}

    return RunArrays(
        frame=np.concatenate([r.frame for r in runs]),
        components=joined(lambda r: r.components),
        info=joined(lambda r: r.info),
        need=np.concatenate([r.need for r in runs]),
        cost=np.concatenate([r.cost for r in runs]),
    )
