"""Monte Carlo: many draws of a scenario's uncertainty, run in chunks over the draws axis, with
summaries that stream (memory does not grow with the number of draws).

Per budget year and committee it keeps, for frame, need, cost, result and coverage: sums and sums
of squares of each block of draws, added block after block to running totals (so the numbers do
not depend on the chunk size), and a histogram for quantiles. The histogram's range is set from
the first block (the mean +- 12 standard deviations, wider if needed to hold that block), so it
too is the same for every chunking; a quantile is exact to within one of its 4,096 bins, and
outside the range the exact minimum or maximum is reported. Chunks of the built-in incremental
and volume-uplift rules run a fused loop (:mod:`budgetsim.engine.kernels`) with the same numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.context import StrategyLike, check_strategy
from budgetsim.core.numeric import whole_number
from budgetsim.core.random import BLOCK
from budgetsim.engine.kernels import fusable, run_fused
from budgetsim.engine.run import NegativeFrames, RunArrays, check_frames, run_years
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


#: Bin indices held before they are counted into the histogram (8 bytes each).
PENDING = 2**22


class StreamingSummary:
    """Accumulates draws chunk by chunk; :meth:`summary` and :meth:`risk` read it out.

    Each chunk costs a few passes over its (draws, years, committees) arrays: per block of draws a
    sum (and for the summary's quantities a sum of squares), and per quantity the histogram bin of
    every value, written cell by cell into a buffer that is counted (one ``bincount``) when full.
    """

    def __init__(self, years: np.ndarray, committees: tuple[str, ...], quantiles: Sequence[float]) -> None:
        self.years, self.committees, self.quantiles = years, committees, tuple(quantiles)
        # running totals over blocks of draws, block after block: sums of each quantity, and of the
        # squares of the summary's quantities
        self.sums: dict[str, np.ndarray] = {}
        self.squares: dict[str, np.ndarray] = {}
        self.count = 0
        shape = (len(QUANTITIES), len(years), len(committees))
        self.low: np.ndarray | None = None
        self.width: np.ndarray | None = None
        self.offsets: np.ndarray | None = None  # each cell's first bin in the flat histogram, plus one
        self._hist = np.zeros((*shape, BINS + 2), dtype=np.int64)
        self._pending = np.empty(0, dtype=np.intp)
        self._used = 0
        self.min = np.full(shape, np.inf)
        self.max = np.full(shape, -np.inf)

    @property
    def hist(self) -> np.ndarray:
        """(quantity, year, committee, bin) counts of all draws added: bin 0 below the range,
        bin ``BINS + 1`` above it."""
        self._flush()
        return self._hist

    def add(self, raw: RunArrays, first: int) -> None:
        frame, need, cost = raw.frame, raw.need, raw.cost
        D = frame.shape[0]
        result = frame - cost
        values = {"frame": frame, "need": need, "cost": cost, "result": result, "coverage": frame / need}
        deficit = np.subtract(cost, frame)
        np.maximum(deficit, 0.0, out=deficit)
        below = frame < cost
        if first != self.count:
            raise ValueError(f"chunks must be added in order: expected draw {self.count} first, got {first}")
        if self.low is None:
            self._set_range([values[q][:BLOCK] for q in QUANTITIES])
        cells = frame[0].size
        if self._pending.size - self._used < D * cells * len(QUANTITIES):
            self._flush()
            if self._pending.size < D * cells * len(QUANTITIES):
                self._pending = np.empty(max(PENDING, D * cells * len(QUANTITIES)), dtype=np.intp)
        scaled = np.empty((min(D, BLOCK), *frame.shape[1:]))
        for start in range(0, D, BLOCK):
            parts = {key: v[start : start + BLOCK] for key, v in values.items()}
            self._total(self.squares, {key: np.einsum("dtc,dtc->tc", part, part) for key, part in parts.items()})
            sums = {key: part.sum(axis=0) for key, part in parts.items()}
            sums["deficit"] = deficit[start : start + BLOCK].sum(axis=0)
            sums["in_deficit"] = below[start : start + BLOCK].sum(axis=0, dtype=float)  # whole numbers: exact
            self._total(self.sums, sums)
            for i, q in enumerate(QUANTITIES):
                self._count(i, values[q][start : start + BLOCK], scaled[: min(BLOCK, D - start)])
        self.count += D

    def _count(self, i: int, v: np.ndarray, scaled: np.ndarray) -> None:
        """Bin the values ``v`` (n, T, C) of quantity ``i`` into the pending buffer, cell by cell."""
        assert self.low is not None and self.width is not None and self.offsets is not None
        np.minimum(self.min[i], v.min(axis=0), out=self.min[i])
        np.maximum(self.max[i], v.max(axis=0), out=self.max[i])
        np.subtract(v, self.low[i], out=scaled)
        np.divide(scaled, self.width[i], out=scaled)
        np.clip(scaled, -1.0, BINS, out=scaled)  # below the range: bin 0; above: bin BINS + 1
        n, cells = v.shape[0], self.offsets[i].size
        target = self._pending[self._used : self._used + n * cells].reshape(cells, n)
        np.floor(scaled.reshape(n, cells).T, out=target, casting="unsafe")  # cell by cell: bincount stays local
        target += self.offsets[i].reshape(cells, 1)
        self._used += n * cells

    def _set_range(self, pilot: list[np.ndarray]) -> None:
        """The histogram range from the first block: mean +- 12 sd, wider if needed to hold it."""
        stacked = np.stack(pilot, axis=1)
        mean, sd = stacked.mean(axis=0), stacked.std(axis=0)
        half = np.maximum(SPAN_SDS * sd, np.maximum(np.abs(mean) * 1e-6, 1e-9))
        self.low = np.minimum(mean - half, stacked.min(axis=0))
        self.width = (np.maximum(mean + half, stacked.max(axis=0)) - self.low) / BINS
        cells = int(np.prod(self._hist.shape[:-1]))
        self.offsets = (np.arange(cells) * (BINS + 2) + 1).reshape(self._hist.shape[:-1])

    def _flush(self) -> None:
        """Count the pending bin indices into the histogram: one ``bincount`` over all bins, or for
        fewer indices than bins an in-place add (no temporary as large as the histogram)."""
        if self._used:
            pending = self._pending[: self._used]
            if self._used < self._hist.size:
                np.add.at(self._hist.reshape(-1), pending, 1)
            else:
                self._hist += np.bincount(pending, minlength=self._hist.size).reshape(self._hist.shape)
            self._used = 0

    @staticmethod
    def _total(totals: dict[str, np.ndarray], block: dict[str, np.ndarray]) -> None:
        """Add one block's sums to the running totals (the first block's are the totals)."""
        for key, value in block.items():
            if key in totals:
                totals[key] += value
            else:
                totals[key] = value

    def _mean(self, key: str) -> np.ndarray:
        return self.sums[key] / self.count

    def _moments(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        mean = self._mean(key)
        return mean, np.sqrt(np.maximum(self.squares[key] / self.count - mean**2, 0.0))

    def _quantile(self, q: float, cumulative: np.ndarray, stacked: np.ndarray) -> np.ndarray:
        """Quantile ``q`` of every cell from the histogram, its running counts ``cumulative`` and
        those as one sorted array, ``stacked`` (each cell's counts + cell index x (count + 1))."""
        target = q * self.count
        # the first bin whose running count reaches the target (whole counts: reaching ceil(target))
        cells = np.arange(cumulative[..., 0].size).reshape(cumulative.shape[:-1])
        found = np.searchsorted(stacked, np.ceil(target).astype(np.int64) + cells * (self.count + 1))
        bin_index = found - cells * (BINS + 2)
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
        cumulative = np.cumsum(self.hist, axis=-1)
        cells = np.arange(cumulative[..., 0].size).reshape(*cumulative.shape[:-1], 1)
        stacked = (cumulative + cells * (self.count + 1)).ravel()
        quantiles = {quantile_name(q): self._quantile(q, cumulative, stacked) for q in sorted(self.quantiles)}
        moments = [self._moments(name) for name in QUANTITIES]
        index = self._tidy({})
        return pd.DataFrame(
            {
                "year": np.tile(index["year"].to_numpy(), len(QUANTITIES)),
                "committee": np.tile(index["committee"].to_numpy(dtype=object), len(QUANTITIES)),
                "quantity": np.repeat(np.array(QUANTITIES, dtype=object), len(index)),
                "mean": np.concatenate([mean.ravel() for mean, _ in moments]),
                "sd": np.concatenate([sd.ravel() for _, sd in moments]),
                **{name: value.ravel() for name, value in quantiles.items()},
            }
        )

    def risk(self) -> pd.DataFrame:
        """year, committee, prob_deficit, expected_deficit (SEK), expected_coverage."""
        return self._tidy(
            {
                "prob_deficit": self._mean("in_deficit"),
                "expected_deficit": self._mean("deficit"),
                "expected_coverage": self._mean("coverage"),
            }
        )


#: Committee-years a second a Monte Carlo run reaches at least on one core (``benchmarks/run.py``:
#: about 3 million without a budget process, 0.16-0.19 million inside one): what estimates use.
RATE_ALONE = 2_000_000
RATE_IN_PROCESS = 150_000
#: Bytes one draw of a chunk may take, per committee-year (the sampled paths, the engine's arrays,
#: the process ledger and the summaries; measured well under this).
BYTES_PER_COMMITTEE_YEAR = 4_096


def estimated_seconds(draws: int, committees: int, years: int, runs: int = 1, process: bool = False) -> float:
    """CPU seconds ``runs`` Monte Carlo runs of ``draws`` draws are expected to take at most.

    >>> round(estimated_seconds(10_000, 7, 7, runs=4, process=True), 1)
    13.1
    """
    return draws * committees * years * runs / (RATE_IN_PROCESS if process else RATE_ALONE)


def memory_chunk(arrays: ScenarioArrays, chunk: int) -> int:
    """``chunk`` draws, or fewer (whole blocks, at least one) where a chunk would take more than a
    quarter of the memory the system has free. The numbers do not depend on the chunk size."""
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # a system that does not say
        return chunk
    per_draw = BYTES_PER_COMMITTEE_YEAR * len(arrays.years) * len(arrays.committees)
    fits = max(BLOCK, free // 4 // per_draw // BLOCK * BLOCK)
    return min(chunk, fits)


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
    negative_frames: NegativeFrames = "raise",
) -> tuple[StreamingSummary, RunArrays | None]:
    """Run ``draws`` draws in chunks of ``chunk_size`` (rounded up to whole blocks of 1,024, and down
    to what memory allows, :func:`memory_chunk`): the streaming summary, and with ``keep_draws`` the
    per-draw engine output of all chunks."""
    draws, seed = whole_number("draws", draws, 1), whole_number("seed", seed, 0)
    chunk_size = whole_number("chunk_size", chunk_size, 1)
    if any(not 0 < q < 1 for q in quantiles):
        raise ValueError(f"quantiles must be in (0, 1), got {list(quantiles)}")
    if len({quantile_name(q) for q in quantiles}) != len(quantiles):
        raise ValueError(f"quantiles must differ, got {list(quantiles)}")
    chunk = memory_chunk(arrays, max(BLOCK, -(-chunk_size // BLOCK) * BLOCK))
    stream = StreamingSummary(arrays.years, arrays.committees, quantiles)
    kept: list[RunArrays] = []
    parts = fusable(strategy) if process is None else None
    for first in range(0, draws, chunk):
        count = min(chunk, draws - first)
        drawn = sample(arrays, uncertainty, first, count, seed)
        raw = None
        if parts is not None:
            check_strategy(strategy, drawn)
            raw = run_fused(drawn, parts, keep_draws)
            if raw is not None:
                check_frames(raw.frame, drawn, label, negative_frames)
        if raw is None:
            raw, _ = run_years(drawn, strategy, label, process, negative_frames)
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
