"""How much frames move from year to year."""

from __future__ import annotations

import numpy as np

from budgetsim.core.money import NOISE
from budgetsim.result.result import Result


def frame_changes(result: Result) -> np.ndarray:
    """(D, T, C) relative change of each frame from the year before (the first year from the base)."""
    frame = result.raw.frame
    before = np.concatenate([np.broadcast_to(result.arrays.base_frame, frame[:, :1].shape), frame[:, :-1]], axis=1)
    defined = before > NOISE  # no relative change from nothing (a frame of zero, or float noise)
    if np.all(defined):
        return frame / before - 1
    return np.divide(frame, before, out=np.full(frame.shape, np.nan), where=defined) - 1


def volatility(result: Result) -> np.ndarray:
    """(D, C) standard deviation over the years of each committee's relative frame change: 0 for a
    frame that grows at a steady rate, large for one that jumps (NaN for a committee whose frame
    was 0, from which no relative change is defined)."""
    return frame_changes(result).std(axis=1)
