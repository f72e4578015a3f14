"""Dropout for the NumPy backend (lecture B3), mirroring `micrograd_tips.dropout`.

Training: each unit (the last axis) is multiplied by a mask m ∈ {0, 1}, P(m = 0) = p, through
the `dropout_mask` op. Scalings: ``"lecture"`` trains with m·x and tests with (1 − p)·x;
``"inverted"`` (PyTorch) trains with m·x/(1 − p) and tests with x. Resampling: ``"batch"`` (the
lecture) uses one mask (width,) for the whole mini-batch — every row of `forward_batch(X)`, or of
one `forward(X)` call outside it; ``"example"`` (PyTorch) draws one mask per row, shape (N, width).

A unit is dropped when its uniform draw is < p; with a `random.Random`/`seed` the draws are the
scalar backend's, in the same order (row-major), so both backends drop the same units.
The ensemble helpers `all_masks`, `mask_probability`, `average_over_masks` are the backend-neutral
ones of `micrograd_tips._dropout_base`, as in the scalar backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import fail
from .._dropout_base import (
    RESAMPLING,
    SCALINGS,
    DropoutBase,
    all_masks,
    average_over_masks,
    check_dropout_args,
    ensemble_sum,
    mask_probability,
)
from .engine import Tensor
from .init import draw_uniform, resolve_source
from .module import Module

__all__ = [
    "SCALINGS",
    "RESAMPLING",
    "Dropout",
    "all_masks",
    "average_over_masks",
    "check_dropout_args",
    "ensemble_average",
    "mask_probability",
]


def _check_mask(mask: Any, who: str) -> np.ndarray:
    arr = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if arr.ndim not in (1, 2) or arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
        fail(who, mask, "a 1-D (width,) or 2-D (N, width) array of 0/1 (1 = keep)", ValueError)
    return arr.astype(np.bool_)


class Dropout(DropoutBase, Module):
    """Drop each unit with probability p in training (lecture B3); see the module docstring.

    `last_mask` is the boolean mask (True = kept) of the last training forward, (width,) or
    (N, width); None after an eval forward. `set_mask(mask)` / ``with fixed_mask(mask):`` fix it
    (tests, drawing one thinned network); `new_batch()` forces a fresh one.
    """

    _fixed: np.ndarray | None
    _batch_mask: np.ndarray | None
    last_mask: np.ndarray | None

    def __init__(
        self,
        p: float = 0.5,
        scaling: str = "lecture",
        resample: str = "batch",
        seed: int | None = None,
        rng: Any = None,
    ) -> None:
        super().__init__(p, scaling, resample, resolve_source(rng, seed, "Dropout"))

    # -- masks -------------------------------------------------------------------------------

    def draw_mask(self, shape: int | tuple[int, ...]) -> np.ndarray:
        """A fresh boolean mask: each unit kept with probability 1 − p (dropped if draw < p)."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return draw_uniform(self._rng, shape) >= self.p

    def _check_mask(self, mask: Any, who: str) -> np.ndarray:
        return _check_mask(mask, who)

    def _mask_for(self, shape: tuple[int, ...]) -> np.ndarray:
        width = shape[-1]
        if self._fixed is not None:
            mask = self._fixed
        elif self.resample == "example":
            mask = self.draw_mask(shape)
        elif self._in_batch:
            if self._batch_mask is None:
                self._batch_mask = self.draw_mask(width)
            mask = self._batch_mask
        else:
            mask = self.draw_mask(width)
        if mask.shape[-1] != width or (mask.ndim == 2 and mask.shape != shape):
            raise ValueError(f"Dropout: the mask has shape {mask.shape} but the input has shape {shape}.")
        return mask

    # -- forward -------------------------------------------------------------------------------

    def forward(self, x: Any) -> Tensor:
        """Training: m·x (lecture) or m·x/(1 − p) (inverted); eval: (1 − p)·x or x."""
        t = x if isinstance(x, Tensor) else Tensor(x)
        if t.data.ndim == 0:
            fail("Dropout(x)", x, "an input of shape (width,) or (N, width)", ValueError)
        self.last_width = t.data.shape[-1]
        if not self.training:
            self.last_mask = None
            return t if self.scaling == "inverted" or self.p == 0.0 else t * (1.0 - self.p)
        mask = self.last_mask = self._mask_for(t.data.shape)
        scale = 1.0 / (1.0 - self.p) if self.scaling == "inverted" and self.p > 0.0 else 1.0
        return t.dropout_mask(mask, scale)


def ensemble_average(model: Module, x: Any) -> np.ndarray:
    """The exact average, over every joint mask of all Dropout modules in `model`, of the
    training-time output for one example x (weights Π p^(#dropped)(1 − p)^(#kept)).
    Lecture B3: equals the eval output when the model is linear. At most 20 units in all;
    the model's training flags and fixed masks are restored afterwards.
    """

    def add(total: np.ndarray | None, out: Tensor, weight: float) -> np.ndarray:
        scaled = np.asarray(out.data, dtype=np.float64) * weight
        return scaled if total is None else total + scaled

    total = ensemble_sum(model, x, add)
    assert total is not None
    return total
