"""Hypothesis strategies for the NumPy backend, on `hypothesis.extra.numpy`.

- `shapes(...)`: array shapes (sides ≥ 1 by default, small enough for a full Jacobian check).
- `arrays(shape, ..., avoid=, margin=, min_gap=)`: float64 arrays with finite entries, kept away
  from kinks by construction (`avoid`), and optionally with distinct entries at least `min_gap`
  apart, so a max or group max has no tie.
- `tensors(shape, requires_grad=...)`: `Tensor`s holding such arrays.
- `broadcastable_shapes(num_shapes)`: shapes that broadcast together, with their result shape.
- `broadcastable_arrays(num_arrays)`: arrays of such shapes (a tuple).
- `reduction_axes(ndim)`: a valid ``axis=`` for sum/mean/max: None, an int (maybe negative) or a
  tuple of distinct ints.

Example — a broadcasting op and a reduction, checked entry by entry::

    from hypothesis import given, strategies as st
    from micrograd_tips.tensor import Tensor
    from micrograd_tips.testing.tensors import tensor_gradcheck
    from micrograd_tips.testing.tensor_strategies import arrays, broadcastable_arrays, reduction_axes

    @given(broadcastable_arrays(2))
    def test_mul_broadcasts(ab):
        tensor_gradcheck(lambda a, b: (a * b).tanh(), list(ab))

    @given(st.data())
    def test_max_reduction(data):
        x = data.draw(arrays(min_gap=1e-2))                    # no ties: max is differentiable
        axis = data.draw(reduction_axes(x.ndim))
        tensor_gradcheck(lambda t: t.max(axis=axis), [x])

Lecture 0: the NumPy backend trains the demos on MNIST; these check its ∇L op by op.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .._checks import check_bool, check_int, check_positive, check_real, fail
from ..tensor import Tensor
from ._floats import floats
from ._intervals import DEFAULT_MARGIN, allowed_intervals, check_kink_points

__all__ = [
    "arrays",
    "broadcastable_arrays",
    "broadcastable_shapes",
    "reduction_axes",
    "shapes",
    "tensors",
]

_MAX_LATTICE = 100_000  # the most grid points `min_gap` may enumerate


def shapes(
    *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with min_dims..max_dims axes of min_side..max_side entries each."""
    min_dims = check_int("shapes(min_dims)", min_dims, 0)
    max_dims = check_int("shapes(max_dims)", max_dims, min_dims)
    min_side = check_int("shapes(min_side)", min_side, 0)
    max_side = check_int("shapes(max_side)", max_side, min_side)
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def _lattice(lo: float, hi: float, gap: float, kinks: tuple[float, ...], margin: float) -> list[float]:
    """Grid points lo, lo + gap, … ≤ hi that keep `margin` from every kink (by construction)."""
    points: list[float] = []
    for p, q in allowed_intervals(lo, hi, kinks, margin):
        count = math.floor((q - p) / gap) + 1
        if len(points) + count > _MAX_LATTICE:
            fail(
                "arrays(min_gap)",
                gap,
                f"a gap leaving at most {_MAX_LATTICE} grid points in the range",
                ValueError,
            )
        points += [p + i * gap for i in range(count)]
    return points


def arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Iterable[float] = (),
    margin: float = DEFAULT_MARGIN,
    min_gap: float | None = None,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of `shape` (a tuple, a strategy of shapes, or None for `shapes()`).

    Entries are finite, in [min_value, max_value], at least `margin` from every point of `avoid`
    (drawn from the allowed intervals, not filtered). With `min_gap`, entries are distinct and at
    least `min_gap` apart (drawn from a grid of that spacing): no max ties.
    """
    lo, hi = check_real("arrays(min_value)", min_value), check_real("arrays(max_value)", max_value)
    kinks = check_kink_points("arrays(avoid)", avoid)
    if shape is None:
        shape_strategy: Any = shapes()
    elif isinstance(shape, st.SearchStrategy):
        shape_strategy = shape
    elif isinstance(shape, tuple) and all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        shape_strategy = shape
    else:
        fail("arrays(shape)", shape, "a tuple of ints ≥ 0, a strategy of shapes, or None")
    if min_gap is None:
        return hnp.arrays(np.float64, shape_strategy, elements=floats(lo, hi, avoid=kinks, margin=margin))
    gap = check_positive("arrays(min_gap)", min_gap)
    points = _lattice(lo, hi, gap, kinks, margin)
    if not points:
        fail("arrays(min_gap)", gap, "a gap leaving some grid points in the range", ValueError)
    return hnp.arrays(np.float64, shape_strategy, elements=st.sampled_from(points), unique=True)


def tensors(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    *,
    requires_grad: bool = False,
    **array_options: Any,
) -> st.SearchStrategy[Tensor]:
    """float64 `Tensor`s holding `arrays(shape, **array_options)`."""
    check_bool("tensors(requires_grad)", requires_grad)
    return arrays(shape, **array_options).map(lambda a: Tensor(a, requires_grad=requires_grad))


def broadcastable_shapes(
    num_shapes: int = 2, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[Any]:
    """`num_shapes` shapes that broadcast together: ``.input_shapes`` and ``.result_shape``
    (Hypothesis' `mutually_broadcastable_shapes`; size-1 axes and missing leading axes occur)."""
    num_shapes = check_int("broadcastable_shapes(num_shapes)", num_shapes, 1)
    min_dims = check_int("broadcastable_shapes(min_dims)", min_dims, 0)
    max_dims = check_int("broadcastable_shapes(max_dims)", max_dims, min_dims)
    min_side = check_int("broadcastable_shapes(min_side)", min_side, 0)
    max_side = check_int("broadcastable_shapes(max_side)", max_side, min_side)
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_arrays(
    num_arrays: int = 2, **array_options: Any
) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """A tuple of `num_arrays` arrays whose shapes broadcast together (entries as in `arrays`)."""
    num_arrays = check_int("broadcastable_arrays(num_arrays)", num_arrays, 1)
    if "shape" in array_options:
        fail(
            "broadcastable_arrays(shape)",
            array_options["shape"],
            "no shape: the shapes are drawn",
            ValueError,
        )
    return broadcastable_shapes(num_arrays).flatmap(
        lambda bs: st.tuples(*(arrays(s, **array_options) for s in bs.input_shapes))
    )


def reduction_axes(
    ndim: int, *, allow_none: bool = True, allow_negative: bool = True, allow_tuple: bool = True
) -> st.SearchStrategy[Any]:
    """A valid ``axis=`` for a reduction over an ndim-array: None (all axes), one int in
    [−ndim, ndim) or a tuple of distinct ints (each maybe negative)."""
    ndim = check_int("reduction_axes(ndim)", ndim, 0)
    for name, flag in (
        ("allow_none", allow_none),
        ("allow_negative", allow_negative),
        ("allow_tuple", allow_tuple),
    ):
        check_bool(f"reduction_axes({name})", flag)
    options: list[st.SearchStrategy[Any]] = [st.none()] if allow_none else []
    if ndim:
        lowest = -ndim if allow_negative else 0
        options.append(st.integers(lowest, ndim - 1))
        if allow_tuple:
            # distinct axes (Hypothesis' valid_tuple_axes), each written as a or a − ndim
            positive = hnp.valid_tuple_axes(ndim, min_size=1).map(lambda axes: tuple(a % ndim for a in axes))
            tuples = positive
            if allow_negative:
                tuples = positive.flatmap(
                    lambda axes: st.tuples(*(st.sampled_from([a, a - ndim]) for a in axes))
                )
            options.append(tuples)
    if not options:
        fail("reduction_axes(ndim)", ndim, "ndim ≥ 1 when allow_none is False", ValueError)
    return st.one_of(options)
