"""Activation modules of the NumPy backend, mirroring `micrograd_tips.activations` (lecture A1, A2).

Each applies a = f(z) elementwise to a Tensor and returns a Tensor of the same shape. By name:
``sigmoid``, ``tanh``, ``relu``, ``leaky_relu`` (slope 0.01), ``prelu`` (learned α, one per unit
over the last axis, starting at 0.25), ``elu`` (α = 1), ``linear`` (identity).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..activations import (
    ELUMath,
    IdentityMath,
    LeakyReLUMath,
    ReLUMath,
    SigmoidMath,
    TanhMath,
    resolve_activation,
)
from ..nn import check_count, check_real
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
]


def _as_tensor(x: Any) -> Tensor:
    """A Tensor passes through; other data becomes one by the Tensor dtype rule."""
    return x if isinstance(x, Tensor) else Tensor(x)


class Activation(Module):
    """An elementwise activation a = f(z): subclasses define `f` (Tensor → Tensor).

    Lecture A2: the choice of f (sigmoid → ReLU and its variants) decides whether gradients
    vanish; backprop multiplies by f'(z) at every layer.
    """

    name = ""

    def f(self, z: Tensor) -> Tensor:
        """The activation of a Tensor of pre-activations."""
        raise NotImplementedError

    def forward(self, x: Any) -> Tensor:
        """f applied elementwise (a Tensor, or an array/list converted to one)."""
        return self.f(_as_tensor(x))


class Sigmoid(SigmoidMath, Activation):
    """σ(z) = 1/(1 + e⁻ᶻ) elementwise on a Tensor (see `SigmoidMath`). Lecture A1."""


class Tanh(TanhMath, Activation):
    """tanh z elementwise on a Tensor (see `TanhMath`). Lecture A1."""


class ReLU(ReLUMath, Activation):
    """max(0, z) elementwise on a Tensor (see `ReLUMath`). Lecture A2."""


class LeakyReLU(LeakyReLUMath, Activation):
    """z or s·z (s = negative_slope = 0.01) elementwise on a Tensor (see `LeakyReLUMath`). A2."""


class ELU(ELUMath, Activation):
    """z or α(eᶻ − 1) elementwise on a Tensor (see `ELUMath`). Lecture A2."""


class Identity(IdentityMath, Activation):
    """a = z (a linear layer); a' = 1. Returns the same Tensor object.

    Lecture A2 (see `IdentityMath`).
    """


class PReLU(Activation):
    """Parametric ReLU (lecture A2): a_j = z_j (z_j > 0), α_j·z_j (z_j ≤ 0), α learned.

    ∂a/∂z = 1 or α;  ∂a/∂α_j = Σ over the entries of unit j with z ≤ 0 of z·∂L/∂a.
    ``num_parameters=1``: one α shared by every unit; ``n``: one α per unit of the last axis
    (size n). `init` is the starting α (0.25 like PyTorch). State dict: ``alpha`` (n,).
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25, *, dtype: Any = None) -> None:
        super().__init__()
        n = check_count(num_parameters, "PReLU(num_parameters)")
        self.init = check_real(init, "PReLU(init)")
        self.alpha = Tensor.parameter([self.init] * n, "alpha", dtype=module_dtype(dtype, "PReLU"))

    def _param_tree(self) -> dict[str, Tensor]:
        return {"alpha": self.alpha}

    def f(self, z: Tensor) -> Tensor:
        """a = z (z > 0), α_j·z otherwise; ∂a/∂z = 1 or α_j, ∂a/∂α_j = 0 or z (j = last-axis unit)."""
        n = self.alpha.data.shape[0]
        if n != 1 and (z.data.ndim == 0 or z.data.shape[-1] != n):
            raise ValueError(f"PReLU(x): got shape {z.shape}; this PReLU has {n} α's for a last axis of {n}.")
        return z.prelu(self.alpha)

    def extra_repr(self) -> str:
        return f"num_parameters={self.alpha.data.shape[0]}, init={self.init}"


class Lambda(Activation):
    """Wraps a callable Tensor → Tensor (e.g. ``lambda z: z.tanh()``) as an activation."""

    def __init__(self, fn: Callable[[Tensor], Tensor], name: str | None = None) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"Lambda(fn): got {type(fn).__name__}; expected a callable Tensor → Tensor.")
        self.fn = fn
        self.name = name or str(getattr(fn, "__name__", "lambda"))

    def f(self, z: Tensor) -> Tensor:
        """a = fn(z); a' is whatever backprop through fn's own ops gives."""
        a = self.fn(z)
        if not isinstance(a, Tensor):
            raise TypeError(f"activation {self.name!r} returned {type(a).__name__}; expected a Tensor.")
        return a

    def extra_repr(self) -> str:
        return self.name


ACTIVATIONS: dict[str, Callable[[int, Any], Activation]] = {
    "sigmoid": lambda n, dtype: Sigmoid(),
    "tanh": lambda n, dtype: Tanh(),
    "relu": lambda n, dtype: ReLU(),
    "leaky_relu": lambda n, dtype: LeakyReLU(),
    "prelu": lambda n, dtype: PReLU(n, dtype=dtype),
    "elu": lambda n, dtype: ELU(),
    "linear": lambda n, dtype: Identity(),
}
"""Name → factory(num_features, dtype). ``prelu`` makes one α per unit."""


def activation_names() -> list[str]:
    """The names `get_activation` accepts."""
    return list(ACTIVATIONS)


def get_activation(spec: Any, num_features: int = 1, dtype: Any = None) -> Module:
    """An activation module for a layer of `num_features` units (parameters in `dtype`).

    `spec`: a registry name (see `activation_names()`); a Module instance (used as is — a PReLU
    must have 1 or `num_features` α's and the layer's dtype); an `Activation` subclass; or a
    callable Tensor → Tensor (wrapped in `Lambda`). Unknown names raise ValueError.
    Lecture A2: pick a = f(z) (e.g. ``"relu"``: a' = 1 for z > 0, 0 otherwise).
    """

    def check_dtype(prelu: PReLU) -> None:
        if prelu.alpha.dtype != module_dtype(dtype, "activation"):
            raise TypeError(
                f"activation: {prelu!r} is {prelu.alpha.dtype}; the layer is {module_dtype(dtype, 'layer')}"
            )

    kinds = (Module, Activation, PReLU, Lambda)
    build = lambda make: make(num_features, dtype=dtype)  # noqa: E731
    return resolve_activation(spec, num_features, ACTIVATIONS, build, kinds, "Tensor", check_dtype)
