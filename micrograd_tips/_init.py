"""Initial weights, shared by both backends (lecture A1/A2: the start decides whether deep nets train).

Schemes, for a layer with `nin` inputs and `nout` outputs (biases always start at 0):

- ``"uniform"``: w ~ U(−1, 1) — micrograd's, the scalar backend's default.
- ``"xavier"``: w ~ U(−a, a), a = √(6/(nin + nout)) (Glorot & Bengio 2010): Var(w) = 2/(nin + nout)
  keeps the variance of a sigmoid/tanh/linear layer's output near its input's.
- ``"he"``: w ~ N(0, 2/nin) (He et al. 2015): ReLU zeroes half of z, so Var(w) is doubled.
- ``"auto"``: the one that suits the layer's activation — "he" for the ReLU family and Maxout,
  "xavier" otherwise (the `init` column of `_activation_table.ACTIVATIONS`). The NumPy backend's
  default: MNIST's cross-entropy then starts near ln 10 instead of ~50.

Weights are drawn one at a time, row-major, from `rng`, else ``random.Random(seed)``, else Python's
global `random` — so ``random.seed(s); MLP(...)`` gives micrograd's weights, and both backends
given the same seed draw the same numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol

from ._checks import check_choice, check_rng, check_seed, fail

__all__ = ["INIT_SCHEMES", "RandomSource", "init_scheme", "resolve_rng", "weight_sampler"]

INIT_SCHEMES = ("uniform", "xavier", "he", "auto")


class RandomSource(Protocol):
    """What the modules need from a random generator (`random.Random` or the `random` module)."""

    def random(self) -> float: ...
    def uniform(self, a: float, b: float) -> float: ...
    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float: ...


def resolve_rng(rng: RandomSource | None, seed: int | None, who: str) -> RandomSource:
    """The generator a module draws from: `rng`, else ``random.Random(seed)``, else the global `random`."""
    if rng is not None and seed is not None:
        fail(f"{who}(rng, seed)", (rng, seed), "either rng or seed, not both", ValueError)
    seed = check_seed(f"{who}(seed)", seed)
    if seed is not None:
        return random.Random(seed)
    return check_rng(f"{who}(rng)", rng) or random  # the module has random.Random's functions


def init_scheme(init: str, suited: str) -> str:
    """The scheme to draw with: `init`, or for ``"auto"`` the one `suited` to the activation."""
    init = check_choice("init", init, INIT_SCHEMES)
    return suited if init == "auto" else init


def weight_sampler(init: str, nin: int, nout: int, rng: RandomSource) -> Callable[[], float]:
    """A function drawing one initial weight of a layer (nin inputs, nout outputs) by scheme `init`.

    `init` is "uniform", "xavier" or "he" ("auto" is resolved first by `init_scheme`).
    """
    scheme = check_choice("init", init, INIT_SCHEMES[:3])
    if scheme == "uniform":
        return lambda: rng.uniform(-1.0, 1.0)
    if scheme == "xavier":
        a = math.sqrt(6.0 / (nin + nout))
        return lambda: rng.uniform(-a, a)
    sigma = math.sqrt(2.0 / nin)  # "he"
    return lambda: rng.gauss(0.0, sigma)
