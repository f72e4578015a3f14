"""Dropout — lecture B3: train thinned networks, test with the full one scaled by (1 − p).

Training: every unit (inputs included) is dropped with probability p, i.e. multiplied by a mask
m_i ∈ {0, 1} with P(m_i = 0) = p. Two scalings:

- ``"lecture"``: training a_i = m_i·x_i; testing a_i = (1 − p)·x_i (the slide's "multiply the
  weights by 1 − p", applied to the units feeding the next layer — the same products).
- ``"inverted"`` (PyTorch's ``nn.Dropout``): training a_i = m_i·x_i/(1 − p); testing a_i = x_i.

Resampling: ``"batch"`` (lecture) draws one mask per mini-batch (`Module.forward_batch`; a forward
outside `forward_batch` is a batch of one); ``"example"`` (PyTorch) draws one per example.

Ensemble view: m units give 2^m thinned networks; `all_masks`, `mask_probability`,
`average_over_masks` (from `micrograd_tips._dropout_base`, shared with the NumPy backend) and
`ensemble_average` compute the exact average over all of them, which the eval network equals
exactly when the network is linear (and only approximately with a sigmoid).
"""

from __future__ import annotations

from typing import Any

from ._dropout_base import (
    RESAMPLING,
    SCALINGS,
    DropoutBase,
    add_scaled,
    all_masks,
    average_over_masks,
    check_dropout_args,
    check_mask,
    ensemble_sum,
    mask_probability,
)
from ._init import RandomSource, resolve_rng
from .engine import Value
from .module import Module, as_values

__all__ = [
    "RESAMPLING",
    "SCALINGS",
    "Dropout",
    "all_masks",
    "average_over_masks",
    "check_dropout_args",
    "ensemble_average",
    "mask_probability",
]


class Dropout(DropoutBase, Module):
    """Drop each unit with probability p in training (lecture B3); see the module docstring.

    `last_mask` is the mask (1 = kept) of the last training forward (None after an eval forward).
    `set_mask(mask)` / ``with fixed_mask(mask):`` fix the mask for training forwards (tests, and
    drawing one thinned network); `new_batch()` forces a fresh mask. `rng`/`seed` as in `nn`
    (neither: Python's global ``random``). A unit is dropped when rng.random() < p.
    """

    _fixed: tuple[int, ...] | None
    _batch_mask: tuple[int, ...] | None
    last_mask: tuple[int, ...] | None

    def __init__(
        self,
        p: float = 0.5,
        scaling: str = "lecture",
        resample: str = "batch",
        seed: int | None = None,
        rng: RandomSource | None = None,
    ) -> None:
        super().__init__(p, scaling, resample, resolve_rng(rng, seed, "Dropout"))

    # -- masks -------------------------------------------------------------------------------

    def draw_mask(self, width: int) -> tuple[int, ...]:
        """A fresh mask: each unit kept (1) with probability 1 − p, dropped (0) with probability p."""
        p, r = self.p, self._rng.random
        return tuple(0 if r() < p else 1 for _ in range(width))

    def _check_mask(self, mask: Any, who: str) -> tuple[int, ...]:
        return check_mask(mask, who)

    def _mask_for(self, width: int) -> tuple[int, ...]:
        if self._fixed is not None:
            mask = self._fixed
        elif self.resample == "batch" and self._in_batch:
            if self._batch_mask is None:
                self._batch_mask = self.draw_mask(width)
            mask = self._batch_mask
        else:
            mask = self.draw_mask(width)
        if len(mask) != width:
            raise ValueError(f"Dropout: the mask has {len(mask)} units but the input has {width}.")
        return mask

    # -- forward -------------------------------------------------------------------------------

    def forward(self, x: Any) -> Any:
        """Training: m_i·x_i (lecture) or m_i·x_i/(1 − p) (inverted); eval: (1 − p)·x_i or x_i.

        A dropped unit becomes a constant 0 node (disconnected: the thinned network); a kept unit
        in the lecture form is the input node itself.
        """
        xs, single = as_values(x, "Dropout(x)")
        self.last_width = len(xs)
        if not self.training:
            self.last_mask = None
            out = xs if self.scaling == "inverted" or self.p == 0.0 else [v * (1.0 - self.p) for v in xs]
        else:
            mask = self.last_mask = self._mask_for(len(xs))
            scale = 1.0 / (1.0 - self.p) if self.scaling == "inverted" and self.p > 0.0 else None
            out = [
                (v if scale is None else v * scale) if keep else Value.constant(0.0, "dropped")
                for v, keep in zip(xs, mask)
            ]
        return out[0] if single else out


def ensemble_average(model: Module, x: Any) -> float | list[float]:
    """The exact average, over every joint mask of all Dropout modules in `model`, of the
    training-time output for one example x, each mask weighted by its probability
    Π p^(#dropped)(1 − p)^(#kept). Lecture B3: equals the eval output when the model is linear.

    The model's training flag and fixed masks are restored afterwards; at most 20 units in all.
    """
    single = True

    def add(total: list[float] | None, out: Any, weight: float) -> list[float]:
        nonlocal single
        single = not isinstance(out, (list, tuple))
        return add_scaled(total, out, weight)

    total = ensemble_sum(model, x, add)
    assert total is not None
    return total[0] if single else total
