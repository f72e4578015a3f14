"""Dropout — lecture B3: train thinned networks, test with the full one scaled by (1 − p).

Training: every unit (inputs included) is dropped with probability p, i.e. multiplied by a mask
m_i ∈ {0, 1} with P(m_i = 0) = p. Two scalings:

- ``"lecture"``: training a_i = m_i·x_i; testing a_i = (1 − p)·x_i (the slide's "multiply the
  weights by 1 − p", applied to the units feeding the next layer — the same products).
- ``"inverted"`` (PyTorch's ``nn.Dropout``): training a_i = m_i·x_i/(1 − p); testing a_i = x_i.

Resampling: ``"batch"`` (lecture) draws one mask per mini-batch (`Module.forward_batch`; a forward
outside `forward_batch` is a batch of one); ``"example"`` (PyTorch) draws one per example.

Ensemble view: m units give 2^m thinned networks; `all_masks`, `mask_probability`,
`average_over_masks` and `ensemble_average` compute the exact average over all of them, which the
eval network equals exactly when the network is linear (and only approximately with a sigmoid).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from ._module_base import ModuleBase
from .engine import Value
from .nn import Module, RandomSource, as_values, check_count, resolve_rng

__all__ = [
    "SCALINGS",
    "RESAMPLING",
    "Dropout",
    "all_masks",
    "average_over_masks",
    "check_dropout_args",
    "DropoutBase",
    "ensemble_average",
    "ensemble_sum",
    "mask_probability",
]

SCALINGS = ("lecture", "inverted")
RESAMPLING = ("batch", "example")
MAX_ENUMERATED_UNITS = 20  # 2^20 ≈ 10⁶ thinned networks


def check_dropout_args(p: object, scaling: object, resample: object, who: str = "Dropout(p)") -> float:
    """Validate dropout options; return p as a float. p ∈ [0, 1), scaling/resample by name."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{who}: got {type(p).__name__} {p!r:.40}; expected a float in [0, 1).")
    if not 0.0 <= float(p) < 1.0:  # also rejects nan
        raise ValueError(f"{who}: got {p!r}; expected a drop probability in [0, 1).")
    if scaling not in SCALINGS:
        raise ValueError(f"Dropout(scaling=...): got {scaling!r}; expected one of {SCALINGS}.")
    if resample not in RESAMPLING:
        raise ValueError(f"Dropout(resample=...): got {resample!r}; expected one of {RESAMPLING}.")
    return float(p)


def _check_mask(mask: object, who: str) -> tuple[int, ...]:
    if isinstance(mask, (str, bytes)) or not isinstance(mask, Sequence):
        if hasattr(mask, "tolist"):
            return _check_mask(mask.tolist(), who)
        raise TypeError(f"{who}: got {type(mask).__name__}; expected a list of 0/1 (1 = keep).")
    out = []
    for i, m in enumerate(mask):
        if isinstance(m, bool) or (isinstance(m, numbers.Integral) and m in (0, 1)):
            out.append(int(m))
        else:
            raise ValueError(f"{who}: element [{i}] is {m!r}; a mask holds only 0 (drop) and 1 (keep).")
    return tuple(out)


class DropoutBase(ModuleBase[Any]):
    """What both backends' `Dropout` share: the options, fixed masks, mini-batch bookkeeping.

    A backend adds `draw_mask`, `_check_mask` (its mask type), `_mask_for` and `forward`
    (the maths on Values or on arrays). `rng` is an already resolved random source.
    """

    def __init__(self, p: float, scaling: str, resample: str, rng: Any) -> None:
        super().__init__()
        self.p = check_dropout_args(p, scaling, resample)
        self.scaling = scaling
        self.resample = resample
        self._rng = rng
        self._fixed: Any = None
        self._in_batch = False
        self._batch_mask: Any = None
        self.last_mask: Any = None
        self.last_width: int | None = None

    def _check_mask(self, mask: Any, who: str) -> Any:
        """`mask` in this backend's mask type, or a clear error."""
        raise NotImplementedError

    def set_mask(self, mask: Any) -> None:
        """Use `mask` (1 = keep, 0 = drop) for every training forward until `set_mask(None)`."""
        self._fixed = None if mask is None else self._check_mask(mask, "Dropout.set_mask(mask)")

    @contextmanager
    def fixed_mask(self: D, mask: Any) -> Iterator[D]:
        """``with drop.fixed_mask([1, 0, 1]): ...`` — a fixed mask inside the block, restored after."""
        previous = self._fixed
        self.set_mask(mask)
        try:
            yield self
        finally:
            self._fixed = previous

    def new_batch(self) -> None:
        """Forget the current mini-batch mask, so the next forward draws a new one."""
        self._batch_mask = None

    def _start_batch(self) -> None:
        self._in_batch = True
        self._batch_mask = None

    def _end_batch(self) -> None:
        self._in_batch = False
        self._batch_mask = None

    def extra_repr(self) -> str:
        return f"p={self.p}, scaling={self.scaling!r}, resample={self.resample!r}"


D = TypeVar("D", bound=DropoutBase)


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
        return _check_mask(mask, who)

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
                (v if scale is None else v * scale) if keep else Value(0.0, "dropped", (), "const")
                for v, keep in zip(xs, mask)
            ]
        return out[0] if single else out


# ---------------------------------------------------------------------------------------------
# The ensemble view: all 2^m thinned networks
# ---------------------------------------------------------------------------------------------


def all_masks(m: int) -> Iterator[tuple[int, ...]]:
    """All 2^m masks of m units (1 = keep), from all-dropped (0, …, 0) to all-kept (1, …, 1).

    Lecture B3: one mask per thinned network of the dropout ensemble.
    """
    m = check_count(m, "all_masks(m)", 0)
    if m > MAX_ENUMERATED_UNITS:
        raise ValueError(
            f"all_masks(m): got {m}; 2^m networks are too many (at most m = {MAX_ENUMERATED_UNITS})."
        )
    return itertools.product((0, 1), repeat=m)


def mask_probability(mask: Sequence[int], p: float) -> float:
    """P(mask) = p^(#dropped) · (1 − p)^(#kept): units are dropped independently with probability p.

    Lecture B3: the weight of one thinned network in the ensemble average.
    """
    mask = _check_mask(mask, "mask_probability(mask)")
    p = check_dropout_args(p, "lecture", "batch", "mask_probability(p)")
    kept = sum(mask)
    return p ** (len(mask) - kept) * (1.0 - p) ** kept


def _add_scaled(total: list[float] | None, out: Any, weight: float) -> list[float]:
    values = [float(v) for v in out] if isinstance(out, (list, tuple)) else [float(out)]
    if total is None:
        return [weight * v for v in values]
    if len(values) != len(total):
        raise ValueError("average_over_masks: fn returned outputs of different lengths for different masks.")
    return [t + weight * v for t, v in zip(total, values)]


def average_over_masks(fn: Callable[[tuple[int, ...]], Any], m: int, p: float) -> float | list[float]:
    """Σ over all 2^m masks of P(mask)·fn(mask): the average output of all thinned networks.

    `fn(mask)` returns a number/Value or a list of them; the result is a float or a list of floats.
    Lecture B3: the ensemble average that testing with weights × (1 − p) approximates.
    """
    total: list[float] | None = None
    single = True
    for mask in all_masks(m):
        out = fn(mask)
        single = not isinstance(out, (list, tuple))
        total = _add_scaled(total, out, mask_probability(mask, p))
    assert total is not None  # all_masks yields at least the empty mask
    return total[0] if single else total


def ensemble_sum(model: ModuleBase[Any], x: Any, add: Callable[[Any, Any, float], Any]) -> Any:
    """Fold `add(total, output, P(masks))` over every joint mask of the model's Dropout modules.

    Both backends' `ensemble_average`: the model runs once in eval mode to learn each Dropout's
    width, then once per joint mask in training mode (at most 20 units in all); the training
    flags and fixed masks are restored afterwards. Lecture B3: the 2^m thinned networks.
    """
    drops = [m for m in model.modules() if isinstance(m, DropoutBase)]
    if not drops:
        raise ValueError("ensemble_average(model): the model has no Dropout module.")
    was_training = {id(m): m.training for m in model.modules()}
    fixed = [d._fixed for d in drops]
    total: Any = None
    try:
        model.eval()
        model(x)  # learn each Dropout's width
        widths = [d.last_width or 0 for d in drops]
        if sum(widths) > MAX_ENUMERATED_UNITS:
            raise ValueError(
                f"ensemble_average: {sum(widths)} dropout units; "
                f"at most {MAX_ENUMERATED_UNITS} can be enumerated."
            )
        model.train()
        for masks in itertools.product(*(all_masks(w) for w in widths)):
            weight = math.prod(mask_probability(mk, d.p) for mk, d in zip(masks, drops))
            for d, mk in zip(drops, masks):
                d.set_mask(list(mk))
            total = add(total, model(x), weight)
    finally:
        for m in model.modules():
            m.training = was_training[id(m)]
        for d, f in zip(drops, fixed):
            d._fixed = f
    return total


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
        return _add_scaled(total, out, weight)

    total = ensemble_sum(model, x, add)
    assert total is not None
    return total[0] if single else total
