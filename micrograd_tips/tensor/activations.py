"""Activation modules of the NumPy backend (lecture A1, A2): one elementwise module, `Activation`.

The functions, their derivatives and lecture sections are the table `ACTIVATIONS`
(`micrograd_tips._activation_table`, shared with the scalar backend); `Activation` applies a
row's a = f(z) to a whole Tensor. The named classes are one line each, as in
`micrograd_tips.activations`. `PReLU` learns one α per unit of the last axis (or one shared).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._activation_table import (
    ACTIVATIONS,
    ActivationBase,
    LambdaBase,
    activation_names,
    resolve_activation,
    suited_init,
)
from .._checks import check_positive_int, check_real, fail
from .engine import Tensor
from .module import Module, module_dtype

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "Activation",
    "Identity",
    "Lambda",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "activation_names",
    "get_activation",
    "suited_init",
]


class Activation(ActivationBase, Module):
    """a = f(z) elementwise on a Tensor, for one row of `ACTIVATIONS` (by `name`).

    ``Activation(name="tanh")``, or a named class: ``Tanh()``, ``LeakyReLU(0.2)``, ``ELU(alpha=2.0)``.
    Backprop multiplies by f′(z) (the table's derivative; the Tensor op computes it).
    """

    _named: ClassVar[dict[str, type[Any]]] = {}

    def forward(self, x: Any) -> Tensor:
        """f applied elementwise (a Tensor, or an array/list converted to one)."""
        return self.f(x if isinstance(x, Tensor) else Tensor(x))


class Sigmoid(Activation, name="sigmoid"):
    """σ(z) = 1/(1 + e⁻ᶻ), the table's "sigmoid" row (lecture A1)."""


class Tanh(Activation, name="tanh"):
    """tanh z, the table's "tanh" row (lecture A1)."""


class ReLU(Activation, name="relu"):
    """max(0, z), the table's "relu" row (lecture A2)."""


class LeakyReLU(Activation, name="leaky_relu"):
    """z or s·z with s = `negative_slope` (0.01), the table's "leaky_relu" row (lecture A2)."""


class ELU(Activation, name="elu"):
    """z or α(eᶻ − 1) with α = `alpha` (1), the table's "elu" row (lecture A2)."""


class Identity(Activation, name="linear"):
    """a = z, the table's "linear" row: returns the same Tensor object."""


class Lambda(LambdaBase, Activation):
    """A callable Tensor → Tensor (e.g. ``lambda z: z.tanh()``) as an activation."""

    _node = Tensor


class PReLU(Module):
    """Parametric ReLU, the table's "prelu" row (lecture A2): a_j = z_j or α_j·z_j, α learned.

    ∂a/∂α_j = Σ over the entries of unit j with z ≤ 0 of z·∂L/∂a. ``num_parameters=1``: one α
    shared by every unit; ``n``: one α per unit of the last axis (size n). `init` is the starting
    α (0.25 like PyTorch). State dict: ``alpha`` (n,).
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25, *, dtype: Any = None) -> None:
        super().__init__()
        n = check_positive_int("PReLU(num_parameters)", num_parameters)
        self.init = check_real("PReLU(init)", init)
        self.alpha = Tensor.parameter([self.init] * n, "alpha", dtype=module_dtype(dtype, "PReLU"))

    @property
    def num_parameters(self) -> int:
        """How many α's: 1 (shared) or one per unit."""
        return int(self.alpha.data.shape[0])

    def _param_tree(self) -> dict[str, Tensor]:
        return {"alpha": self.alpha}

    def forward(self, x: Any) -> Tensor:
        """a = z (z > 0), α_j·z otherwise, j the unit of the last axis."""
        z = x if isinstance(x, Tensor) else Tensor(x)
        n = self.num_parameters
        if n != 1 and (z.data.ndim == 0 or z.data.shape[-1] != n):
            raise ValueError(f"PReLU(x): got shape {z.shape}; this PReLU has {n} α's for a last axis of {n}.")
        return ACTIVATIONS["prelu"].f(z, self.alpha)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, init={self.init}"


def get_activation(spec: Any, num_features: int = 1, dtype: Any = None) -> Module:
    """An activation module for a layer of `num_features` units (parameters in `dtype`).

    The rules of `micrograd_tips.activations.get_activation` (`resolve_activation`), for Tensor
    → Tensor callables; a given PReLU must have the layer's dtype. Lecture A2: pick a = f(z).
    """
    if (isinstance(spec, str) and spec == "prelu") or spec is PReLU:
        return PReLU(num_features, dtype=dtype)
    act = resolve_activation(spec, num_features, (Activation, PReLU, Lambda))
    layer_dtype = module_dtype(dtype, "activation")
    if isinstance(act, PReLU) and act.alpha.dtype != layer_dtype:
        fail("activation", act, f"a PReLU of the layer's dtype {layer_dtype} (it is {act.alpha.dtype})")
    return act
