"""The optional vectorized NumPy backend: `Tensor` and the same names as the scalar package.

    from micrograd_tips.tensor import Tensor, nn, losses

`Tensor` mirrors `Value` op for op, over NumPy arrays (float32 or float64) with broadcasting;
`tensor.nn` and `tensor.losses` mirror `micrograd_tips.nn` and `micrograd_tips.losses` (same names,
same state-dict names and shapes), and the optimizers/regularizers of `micrograd_tips.optim` and
`micrograd_tips.regularization` work on its parameters unchanged. A new op is its forward (NumPy
arrays in, an array out) plus its local derivative entered with `define_op`, its node built with
`record`. Needs NumPy (the `numpy` extra). Imports nothing from the scalar backend.
"""

from __future__ import annotations

try:
    import numpy  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("micrograd_tips.tensor needs NumPy: pip install 'micrograd-tips[numpy]'") from e

from .._modes import is_grad_enabled, no_grad
from . import losses, nn
from .engine import Tensor, linear, record
from .ops import define_op, unbroadcast

__all__ = [
    "Tensor",
    "define_op",
    "is_grad_enabled",
    "linear",
    "losses",
    "nn",
    "no_grad",
    "record",
    "unbroadcast",
]
