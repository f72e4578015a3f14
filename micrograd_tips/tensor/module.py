"""`Module` for the NumPy backend: the scalar `micrograd_tips.nn.Module` API over Tensor parameters.

Same methods and the same state-dict names and shapes as the scalar backend, so
``tensor_model.load_state_dict(scalar_model.state_dict())`` copies weights across. Differences:
a parameter is one Tensor per array (``layers.0.weight`` of shape (nout, nin)), `zero_grad()`
sets gradients to None (PyTorch's default), and `forward_batch(X)` takes an (N, nin) array and
returns an (N, nout) Tensor. Modules hold a `dtype` (float64 by default, float32 on request);
a float32 *array* fed to a float64 module is widened (exactly), so `data.load_mnist_5k()`'s
float32 X works with the defaults. The root `Module` names this backend's ``losses`` module and
its ``no_grad`` context (`micrograd_tips._modes.no_grad`) for generic code such as `training.fit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _modes
from .._checks import fail
from .._module_base import ModuleBase
from . import losses as _losses
from ._convert import operand_array, resolve_dtype, to_array
from .engine import Tensor, _leaf

__all__ = ["Module", "as_input", "module_dtype"]


def module_dtype(dtype: Any, who: str) -> np.dtype:
    """The dtype a module's parameters use: float64 unless 'float32' is asked for."""
    resolved = resolve_dtype(dtype, f"{who}(dtype=...)")
    return resolved if resolved is not None else np.dtype(np.float64)


def as_input(x: Any, dtype: np.dtype, who: str, nin: int | None = None) -> Tensor:
    """An input batch as a Tensor of the module's dtype; its last axis must have `nin` entries.

    A Tensor must already have that dtype (TypeError otherwise: no silent conversion of a graph
    node); lists, numbers and integer arrays adopt it; a float32 array is widened to a float64
    module exactly; a float64 array is rejected by a float32 module (it would lose precision). An
    array of the right dtype is wrapped without a copy (the backend never writes into inputs).
    """
    if isinstance(x, Tensor):
        if x.data.dtype != dtype:
            raise TypeError(f"{who}: got a {x.dtype} Tensor; this module is {dtype} (convert with .astype)")
        t = x
    elif isinstance(x, np.ndarray) and x.dtype == dtype:
        t = _leaf(x)  # a batch of the right dtype is used as is, not copied (it is never written)
    elif isinstance(x, np.ndarray) and x.dtype == np.float32 and dtype == np.float64:
        t = _leaf(x.astype(np.float64))  # widening is exact: load_mnist_5k's float32 X, float64 model
    else:
        t = _leaf(operand_array(x, dtype, who))
    if nin is not None and (t.data.ndim == 0 or t.data.shape[-1] != nin):
        raise ValueError(f"{who}: got input of shape {t.shape}; expected (N, {nin}) or ({nin},)")
    return t


class Module(ModuleBase[Tensor], backend_root=True):
    """Base class of every layer (lecture 0: the "set of functions" whose θ training picks).

    Subclasses implement `forward(x)` and list their own parameters in `_param_tree()` (name →
    Tensor). Sub-modules are found among the attributes (a Module, or a list of Modules named
    ``attr.i``), in attribute order; override `named_children()` to choose. The tree walk,
    naming, train/eval and repr are shared with the scalar backend (`ModuleBase`).
    """

    losses = _losses  # this backend's losses (generic code calls type(model).losses.cross_entropy)
    no_grad = staticmethod(_modes.no_grad)  # evaluation builds no graph

    def forward_batch(self, X: Any) -> Tensor:
        """forward(X) for an (N, nin) batch as one mini-batch: Dropout(resample="batch") draws
        one new mask for it. Returns the (N, nout) output Tensor."""
        if isinstance(X, (str, bytes)) or X is None:
            fail("forward_batch(X)", X, "an (N, nin) array or Tensor")
        if getattr(X, "ndim", 2) != 2 and not isinstance(X, (list, tuple)):
            raise ValueError(f"forward_batch(X): got shape {X.shape}; expected a 2-D (N, nin) batch")
        return self._run_batch(lambda: self.forward(X))

    def _param_tree(self) -> dict[str, Tensor]:
        """This module's own parameters: name → Tensor."""
        return {}

    def zero_grad(self) -> None:
        """Set every parameter's gradient to None (the next backward allocates it)."""
        for p in self.parameters():
            p.grad = None

    # -- state dicts ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """name → a copy of the parameter array; the scalar backend's names and shapes."""
        return {name: t.data.copy() for name, t in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy parameter values from `state` (arrays, or the scalar backend's nested lists).

        Every name and shape is checked before anything changes: a missing or unexpected key
        raises KeyError, a wrong shape ValueError, a non-number TypeError; the model is then
        untouched. Values are converted to this model's dtype (an explicit load, not an op).
        """
        params = dict(self.named_parameters())
        self._check_state_keys(state, list(params))
        staged = []
        for key, t in params.items():
            value = state[key]
            value = value.data if isinstance(value, Tensor) else value
            if hasattr(value, "tolist") and not isinstance(value, np.ndarray):
                value = value.tolist()  # e.g. a torch tensor
            arr = to_array(value, t.data.dtype, f"load_state_dict: {key!r}")
            if arr.shape != t.data.shape:
                raise ValueError(f"load_state_dict: {key!r} has shape {arr.shape}; expected {t.data.shape}.")
            staged.append((t, arr))
        for t, arr in staged:
            t.data[...] = arr
