"""Activation modules of the scalar backend (lecture A1, A2): one elementwise module, `Activation`.

The functions, their derivatives and lecture sections are the table `ACTIVATIONS`
(`micrograd_tips._activation_table`, shared with the NumPy backend). `Activation` applies a row's
a = f(z) to a Value, or to each Value of a list (a layer's z's), and returns the same kind; the
named classes below are one line each. `PReLU` learns its α; `Lambda` wraps a callable Value →
Value; `get_activation` turns a name, True/False, a module, a class or a callable into a module.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._activation_table import (
    ACTIVATIONS,
    ActivationBase,
    LambdaBase,
    activation_names,
    resolve_activation,
    suited_init,
)
from ._checks import check_positive_int, check_real
from .engine import Value
from .module import Module, as_values

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
    """a = f(z) of a Value, or of each Value of a list, for one row of `ACTIVATIONS` (by `name`).

    ``Activation(name="tanh")``, or a named class: ``Tanh()``, ``LeakyReLU(0.2)``, ``ELU(alpha=2.0)``.
    Backprop multiplies by f′(z) (the table's derivative; the engine's op computes it).
    """

    _named: ClassVar[dict[str, type[Any]]] = {}

    def forward(self, x: Any) -> Any:
        """f applied to a Value (→ Value) or to each Value of a list (→ list)."""
        zs, single = as_values(x, f"{type(self).__name__}(x)")
        f = self.elementwise()
        out = [f(z) for z in zs]
        return out[0] if single else out

    def parameters(self) -> list[Value]:
        """None: f has no learned parameter."""
        return []


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
    """a = z, the table's "linear" row: a linear layer (micrograd's last one) returns z itself."""


class Lambda(LambdaBase, Activation):
    """A callable Value → Value (e.g. ``lambda z: z.tanh()``) as an elementwise activation."""

    _node = Value


class PReLU(Module):
    """Parametric ReLU, the table's "prelu" row (lecture A2): a_j = z_j or α_j·z_j, α learned.

    ∂L/∂α = Σ over units with z ≤ 0 of z·∂L/∂a. ``num_parameters=1``: one α shared by every unit
    (PyTorch's default); ``n``: one α per unit of an n-wide input. `init` is the starting α
    (0.25 like PyTorch). State dict: ``alpha`` (n,).
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        n = check_positive_int("PReLU(num_parameters)", num_parameters)
        self.init = check_real("PReLU(init)", init)
        self.alpha = [Value.parameter(self.init, "alpha" if n == 1 else f"alpha{j}") for j in range(n)]

    @property
    def num_parameters(self) -> int:
        """How many α's: 1 (shared) or one per unit."""
        return len(self.alpha)

    def unit(self, j: int) -> PReLU:
        """The activation of unit j alone: a PReLU whose one α is this one's α_j (shared, not copied)."""
        view = PReLU(1, self.init)
        view.alpha = [self.alpha[j]]
        return view

    def _param_tree(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def forward(self, x: Any) -> Any:
        """PReLU of a Value (needs num_parameters = 1) or of a list (1 or len(x) parameters)."""
        zs, single = as_values(x, "PReLU(x)")
        f, n = ACTIVATIONS["prelu"].f, len(self.alpha)
        if n == 1:
            out = [f(z, self.alpha[0]) for z in zs]
        elif len(zs) == n and not single:
            out = [f(z, a) for z, a in zip(zs, self.alpha)]
        else:
            given = "a single value" if single else f"{len(zs)} values"
            raise ValueError(f"PReLU(x): got {given}; this PReLU has {n} α's, so it takes exactly {n} values")
        return out[0] if single else out

    def extra_repr(self) -> str:
        return f"num_parameters={len(self.alpha)}, init={self.init}"


def get_activation(spec: Any, num_features: int = 1) -> Module:
    """An activation module for a layer of `num_features` units (the rules of `resolve_activation`).

    `spec`: a name (see `activation_names()`), True/False (micrograd's nonlin: ReLU/linear), a
    module (a PReLU must have 1 or `num_features` α's), a class (``PReLU``: one α per unit) or a
    callable Value → Value (wrapped in `Lambda`). Unknown names raise ValueError listing the valid
    ones. Lecture A2: pick a = f(z) (e.g. ``"relu"``: a' = 1 for z > 0, 0 otherwise).
    """
    return resolve_activation(spec, num_features, (Activation, PReLU, Lambda))
