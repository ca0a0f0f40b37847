"""Random numbers reproducible per draw: draws come in blocks of :data:`BLOCK`, each block with
its own generator seeded from (seed, block index, stream key). A draw's numbers therefore depend
only on the seed and its index, whatever chunks a run is cut into and wherever the chunks run.

:func:`spawn_generators` builds many such generators at once: it computes numpy's
``SeedSequence(seed, spawn_key=key).generate_state`` for all keys in one vectorised pass (the same
words, so the same numbers) instead of one Python object per key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from numpy.typing import NDArray

BLOCK = 1024

# numpy's SeedSequence constants (numpy/random/bit_generator.pyx): a pool of 4 uint32 words
_POOL = 4
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_M32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(16)


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


class _State(ISeedSequence):
    """A seed sequence whose state words are already known (what PCG64 asks of it)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        return self.words


def spawn_generators(seed: int, keys: Sequence[Sequence[int]]) -> list[np.random.Generator]:
    """``np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))`` for every key, the
    same generators built in one pass (seeds and key entries outside [0, 2**32) take the slow road).

    >>> a = spawn_generators(7, [(0, 1, 2024), (3, 4, 2025)])[1].standard_normal(3)
    >>> b = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(3, 4, 2025))).standard_normal(3)
    >>> bool((a == b).all())
    True
    """
    if not keys:
        return []
    if seed < 0 or any(not 0 <= x < 2**32 for key in keys for x in key) or len({len(k) for k in keys}) > 1:
        return [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=tuple(key))) for key in keys]
    table = np.array(keys, dtype=np.int64).reshape(len(keys), -1)
    states = [_State(words) for words in _state_words(seed, table)]
    return [np.random.Generator(np.random.PCG64(state)) for state in states]  # type: ignore[arg-type]  # numpy takes any ISeedSequence


def _state_words(seed: int, keys: np.ndarray) -> np.ndarray:
    """(n, 4) uint64: ``SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64)`` per row of
    ``keys`` (n, k), each entry in [0, 2**32); numpy's algorithm, vectorised over the rows."""
    n = keys.shape[0]
    words = [(seed >> (32 * i)) & 0xFFFFFFFF for i in range(max(1, -(-seed.bit_length() // 32)))]
    entropy = [np.full(n, w, dtype=np.uint64) for w in words + [0] * (_POOL - len(words))]
    entropy += [keys[:, j].astype(np.uint64) for j in range(keys.shape[1])]
    constant = _INIT_A

    def hashmix(value: NDArray[np.uint64]) -> NDArray[np.uint64]:
        nonlocal constant
        value = value ^ np.uint64(constant)
        constant = (constant * _MULT_A) & 0xFFFFFFFF
        value = np.multiply(value, np.uint64(constant)) & _M32
        return value ^ (value >> _SHIFT)

    def mix(x: NDArray[np.uint64], y: NDArray[np.uint64]) -> NDArray[np.uint64]:
        result = np.subtract(np.multiply(x, np.uint64(_MIX_L)), np.multiply(y, np.uint64(_MIX_R))) & _M32
        return result ^ (result >> _SHIFT)

    pool = [hashmix(entropy[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))
    constant = _INIT_B
    half = []
    for i in range(2 * _POOL):
        value = pool[i % _POOL] ^ np.uint64(constant)
        constant = (constant * _MULT_B) & 0xFFFFFFFF
        value = (value * np.uint64(constant)) & _M32
        half.append(value ^ (value >> _SHIFT))
    return np.stack([half[2 * i] | (half[2 * i + 1] << np.uint64(32)) for i in range(_POOL)], axis=1)
