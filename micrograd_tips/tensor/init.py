"""Random sources and weight initialisation for the NumPy backend's modules.

`rng`/`seed` work as in the scalar backend: ``seed=s`` or a `random.Random` draws the *same
numbers in the same order* as the scalar modules (so both backends build identical weights),
neither draws from Python's global `random`. A ``numpy.random.Generator`` is accepted too and is
much faster for big layers (its numbers differ from the scalar backend's).

Schemes (lecture A1/A2, `micrograd_tips._init`): "uniform" U(−1, 1) (micrograd); "xavier" U(−a, a),
a = √(6/(nin + nout)); "he" N(0, 2/nin); "auto" — the one that suits the activation, this
backend's default.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_choice, fail
from .._init import INIT_SCHEMES, RandomSource, resolve_rng, weight_sampler

__all__ = ["Source", "resolve_source", "init_weights", "draw_uniform"]

Source = RandomSource | np.random.Generator


def resolve_source(rng: Any, seed: int | None, who: str) -> Source:
    """`rng` (a numpy Generator or a random.Random), else random.Random(seed), else global random."""
    if isinstance(rng, np.random.Generator):
        if seed is not None:
            fail(f"{who}(rng, seed)", (rng, seed), "either rng or seed, not both", ValueError)
        return rng
    return resolve_rng(rng, seed, who)


def init_weights(
    init: str, nin: int, nout: int, shape: tuple[int, ...], source: Source, dtype: np.dtype
) -> np.ndarray:
    """An array of `shape` drawn by scheme `init` for a layer with `nin` inputs, `nout` outputs.

    `init` is "uniform", "xavier" or "he" (resolve "auto" first with `_init.init_scheme`).
    Row-major order, as the scalar modules draw them one weight at a time.
    """
    check_choice("init", init, INIT_SCHEMES[:3])
    if isinstance(source, np.random.Generator):
        if init == "he":
            return source.normal(0.0, math.sqrt(2.0 / nin), shape).astype(dtype)
        a = 1.0 if init == "uniform" else math.sqrt(6.0 / (nin + nout))
        return source.uniform(-a, a, shape).astype(dtype)
    draw = weight_sampler(init, nin, nout, source)
    return np.array([draw() for _ in range(math.prod(shape))], dtype=dtype).reshape(shape)


def draw_uniform(source: Source, shape: tuple[int, ...]) -> np.ndarray:
    """U[0, 1) numbers of `shape` (row-major, `source.random()` one by one for a Python source)."""
    if isinstance(source, np.random.Generator):
        return source.random(shape)
    r = source.random
    return np.array([r() for _ in range(math.prod(shape))], dtype=np.float64).reshape(shape)
