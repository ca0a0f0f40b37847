"""Random numbers reproducible per draw: draws come in blocks of :data:`BLOCK`, each block with
its own generator seeded from (seed, block index, stream key). A draw's numbers therefore depend
only on the seed and its index, whatever chunks a run is cut into and wherever the chunks run."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BLOCK = 1024


def block_random(
    seed: int | tuple[int, ...],
    first: int,
    count: int,
    make: Callable[[Callable[..., np.random.Generator], int], dict[str, np.ndarray]],
    stream: tuple[int, ...] = (),
) -> dict[str, np.ndarray]:
    """Random arrays for draws ``first .. first + count - 1``: ``make(generator, BLOCK)`` is called
    once per block; ``generator(*key)`` gives the block's own generator for ``key`` (e.g. a stream
    and a year), so what one key draws does not depend on what the others draw. The rows of the
    requested draws are returned.

    >>> a = block_random(7, 0, 3000, lambda gen, n: {"z": gen().standard_normal(n)})["z"]
    >>> b = block_random(7, 1500, 10, lambda gen, n: {"z": gen().standard_normal(n)})["z"]
    >>> bool((a[1500:1510] == b).all())
    True
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    parts: list[dict[str, np.ndarray]] = []
    for block in range(first // BLOCK, (first + count - 1) // BLOCK + 1):

        def generator(*key: int, block: int = block) -> np.random.Generator:
            return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, *stream, *key)))

        values = make(generator, BLOCK)
        lo, hi = max(first, block * BLOCK) - block * BLOCK, min(first + count, (block + 1) * BLOCK) - block * BLOCK
        parts.append({k: v[lo:hi] for k, v in values.items()})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
