"""Dropout's backend-neutral half (lecture B3): the options, fixed masks, batch bookkeeping, ensembles.

Both backends' `Dropout` share `DropoutBase`; a backend adds how a mask is drawn and applied.
The ensemble view needs no backend at all: m units give 2^m thinned networks; `all_masks`,
`mask_probability`, `average_over_masks` and `ensemble_sum` compute the exact average over all
of them, which the eval network equals exactly when the network is linear (and only
approximately with a sigmoid).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from ._checks import check_choice, check_int, check_range, fail
from ._module_base import ModuleBase

__all__ = [
    "MAX_ENUMERATED_UNITS",
    "RESAMPLING",
    "SCALINGS",
    "DropoutBase",
    "all_masks",
    "average_over_masks",
    "check_dropout_args",
    "check_mask",
    "add_scaled",
    "ensemble_sum",
    "mask_probability",
]

SCALINGS = ("lecture", "inverted")
RESAMPLING = ("batch", "example")
MAX_ENUMERATED_UNITS = 20  # 2^20 ≈ 10⁶ thinned networks


def check_dropout_args(p: object, scaling: object, resample: object, who: str = "Dropout(p)") -> float:
    """p ∈ [0, 1) as a float, after checking `scaling` and `resample` by name."""
    p = check_range(who, p, 0, 1)  # p = 1 would drop everything
    check_choice("Dropout(scaling)", scaling, SCALINGS)
    check_choice("Dropout(resample)", resample, RESAMPLING)
    return p


def check_mask(mask: object, who: str) -> tuple[int, ...]:
    """A mask as a tuple of 0/1 ints (1 = keep); a list, a tuple or anything with `.tolist()`."""
    if hasattr(mask, "tolist") and not isinstance(mask, (list, tuple)):
        mask = mask.tolist()
    if isinstance(mask, (str, bytes)) or not isinstance(mask, Sequence):
        fail(who, mask, "a list of 0/1 (1 = keep)")
    for i, m in enumerate(mask):
        if m not in (0, 1) or not isinstance(m, (int, bool)):
            fail(f"{who}[{i}]", m, "only 0 (drop) or 1 (keep) in a mask", ValueError)
    return tuple(int(m) for m in mask)


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


def all_masks(m: int) -> Iterator[tuple[int, ...]]:
    """All 2^m masks of m units (1 = keep), from all-dropped (0, …, 0) to all-kept (1, …, 1).

    Lecture B3: one mask per thinned network of the dropout ensemble.
    """
    m = check_int("all_masks(m)", m, 0)
    if m > MAX_ENUMERATED_UNITS:
        raise ValueError(
            f"all_masks(m): got {m}; 2^m networks are too many (at most m = {MAX_ENUMERATED_UNITS})."
        )
    return itertools.product((0, 1), repeat=m)


def mask_probability(mask: Sequence[int], p: float) -> float:
    """P(mask) = p^(#dropped) · (1 − p)^(#kept): units are dropped independently with probability p.

    Lecture B3: the weight of one thinned network in the ensemble average.
    """
    mask = check_mask(mask, "mask_probability(mask)")
    p = check_dropout_args(p, "lecture", "batch", "mask_probability(p)")
    kept = sum(mask)
    return p ** (len(mask) - kept) * (1.0 - p) ** kept


def add_scaled(total: list[float] | None, out: Any, weight: float) -> list[float]:
    """total + weight·out, elementwise over the floats of `out` (a number/Value or a list of them)."""
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
        total = add_scaled(total, out, mask_probability(mask, p))
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
