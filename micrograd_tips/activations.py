"""Activation functions as modules, and the name → module registry (lecture A1, A2).

Each module applies a = f(z) elementwise to a Value or to a list of Values (a layer's z's) and
returns the same kind. By name: ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu`` (slope 0.01),
``prelu`` (learned α, one per neuron, starting at 0.25), ``elu`` (α = 1), ``linear`` (identity).
`get_activation` turns a name, a module, a module class or a callable Value → Value into a module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .engine import Value
from .nn import Module, as_values, check_count, check_real

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
    "resolve_activation",
]


class Activation(Module):
    """An elementwise activation a = f(z): subclasses define `f` (Value → Value).

    Lecture A2: the choice of f (sigmoid → ReLU and its variants) decides whether gradients
    vanish; backprop multiplies by f'(z) at every layer.
    """

    name = ""

    def f(self, z: Value) -> Value:
        """The activation of one pre-activation z."""
        raise NotImplementedError

    def forward(self, x: Any) -> Any:
        """f applied to a Value (→ Value) or to each Value of a list (→ list)."""
        zs, single = as_values(x, f"{type(self).__name__}(x)")
        f = self.f
        out = [f(z) for z in zs]
        return out[0] if single else out


# ---------------------------------------------------------------------------------------------
# The maths of each activation, shared by both backends: f only calls the node's own method
# (Value.sigmoid or Tensor.sigmoid, …), so each backend's class is ``class X(XMath, Activation)``.
# ---------------------------------------------------------------------------------------------


class SigmoidMath:
    """σ(z) = 1/(1 + e⁻ᶻ);  σ'(z) = σ(z)(1 − σ(z)) ≤ ¼ — lecture A1: the vanishing gradient."""

    name = "sigmoid"

    def f(self, z: Any) -> Any:
        """a = σ(z) = 1/(1 + e⁻ᶻ); a' = σ(z)(1 − σ(z))."""
        return z.sigmoid()


class TanhMath:
    """tanh z;  tanh'(z) = 1 − tanh²(z) ≤ 1 (lecture A1, a rescaled sigmoid)."""

    name = "tanh"

    def f(self, z: Any) -> Any:
        """a = tanh z; a' = 1 − tanh²(z)."""
        return z.tanh()


class ReLUMath:
    """a = max(0, z);  a' = 1 (z > 0), 0 (z ≤ 0). Lecture A2: no vanishing gradient."""

    name = "relu"

    def f(self, z: Any) -> Any:
        """a = max(0, z); a' = 1 (z > 0), 0 otherwise."""
        return z.relu()


class LeakyReLUMath:
    """a = z (z > 0), s·z (z ≤ 0) with s = negative_slope (0.01);  a' = 1 or s. Lecture A2."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = check_real(negative_slope, "LeakyReLU(negative_slope)")

    def f(self, z: Any) -> Any:
        """a = z (z > 0), s·z otherwise; a' = 1 (z > 0), s otherwise (s = negative_slope)."""
        return z.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELUMath:
    """a = z (z > 0), α(eᶻ − 1) (z ≤ 0);  a' = 1 or α·eᶻ. Mentioned in lecture A2."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_real(alpha, "ELU(alpha)")

    def f(self, z: Any) -> Any:
        """a = z (z > 0), α(eᶻ − 1) otherwise; a' = 1 (z > 0), α·eᶻ otherwise."""
        return z.elu(self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class IdentityMath:
    """a = z; a' = 1. Lecture A2: the baseline with no non-linearity (stacked, one linear map)."""

    name = "linear"

    def f(self, z: Any) -> Any:
        """a = z; a' = 1 (no new node: z itself is returned)."""
        return z


# ---------------------------------------------------------------------------------------------
# The scalar backend's activation modules
# ---------------------------------------------------------------------------------------------


class Sigmoid(SigmoidMath, Activation):
    """σ(z) = 1/(1 + e⁻ᶻ) of a Value or of each Value of a list (see `SigmoidMath`). Lecture A1."""


class Tanh(TanhMath, Activation):
    """tanh z of a Value or of each Value of a list (see `TanhMath`). Lecture A1."""


class ReLU(ReLUMath, Activation):
    """max(0, z) of a Value or of each Value of a list (see `ReLUMath`). Lecture A2."""


class LeakyReLU(LeakyReLUMath, Activation):
    """z or s·z (s = negative_slope = 0.01) of a Value or of each of a list (`LeakyReLUMath`). A2."""


class ELU(ELUMath, Activation):
    """z or α(eᶻ − 1) of a Value or of each Value of a list (see `ELUMath`). Lecture A2."""


class Identity(IdentityMath, Activation):
    """a = z (a linear layer, or micrograd's last layer); a' = 1. Returns the same Value object.

    Lecture A2 (see `IdentityMath`).
    """


class PReLU(Activation):
    """Parametric ReLU (lecture A2): a_j = z_j (z_j > 0), α_j·z_j (z_j ≤ 0), α learned.

    ∂a/∂z = 1 or α;  ∂a/∂α = 0 or z, so ∂L/∂α = Σ over units with z ≤ 0 of z·∂L/∂a.
    ``num_parameters=1``: one α shared by every unit (PyTorch's default); ``n``: one α per unit of
    an n-wide input. `init` is the starting α (0.25 like PyTorch). State dict: ``alpha`` (n,).
    """

    name = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        n = check_count(num_parameters, "PReLU(num_parameters)")
        self.init = check_real(init, "PReLU(init)")
        self.alpha = [Value.parameter(self.init, "alpha" if n == 1 else f"alpha{j}") for j in range(n)]

    def _param_tree(self) -> dict[str, Any]:
        return {"alpha": self.alpha}

    def forward(self, x: Any) -> Any:
        """PReLU of a Value (needs num_parameters = 1) or of a list (1 or len(x) parameters)."""
        zs, single = as_values(x, "PReLU(x)")
        n = len(self.alpha)
        if n == 1:
            a = self.alpha[0]
            out = [z.prelu(a) for z in zs]
        elif len(zs) == n and not single:
            out = [z.prelu(a) for z, a in zip(zs, self.alpha)]
        else:
            given = "a single value" if single else f"{len(zs)} values"
            raise ValueError(
                f"PReLU(x): got {given}; this PReLU has {n} α's, so it takes exactly {n} values."
            )
        return out[0] if single else out

    def extra_repr(self) -> str:
        return f"num_parameters={len(self.alpha)}, init={self.init}"


class Lambda(Activation):
    """Wraps a callable Value → Value (e.g. ``lambda z: z.tanh()``) as an elementwise activation."""

    def __init__(self, fn: Callable[[Value], Value], name: str | None = None) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"Lambda(fn): got {type(fn).__name__}; expected a callable Value → Value.")
        self.fn = fn
        self.name = name or str(getattr(fn, "__name__", "lambda"))

    def f(self, z: Value) -> Value:
        """a = fn(z); a' is whatever backprop through fn's own ops gives."""
        a = self.fn(z)
        if not isinstance(a, Value):
            raise TypeError(f"activation {self.name!r} returned {type(a).__name__}; expected a Value.")
        return a

    def extra_repr(self) -> str:
        return self.name


ACTIVATIONS: dict[str, Callable[[int], Activation]] = {
    "sigmoid": lambda n: Sigmoid(),
    "tanh": lambda n: Tanh(),
    "relu": lambda n: ReLU(),
    "leaky_relu": lambda n: LeakyReLU(),
    "prelu": lambda n: PReLU(n),
    "elu": lambda n: ELU(),
    "linear": lambda n: Identity(),
}
"""Name → factory(num_features). ``prelu`` makes one α per unit (num_parameters = num_features)."""


def activation_names() -> list[str]:
    """The names `get_activation` accepts."""
    return list(ACTIVATIONS)


def get_activation(spec: Any, num_features: int = 1) -> Module:
    """An activation module for a layer of `num_features` units.

    `spec`: a registry name (see `activation_names()`); a Module instance (used as is — a PReLU
    must have 1 or `num_features` α's); an `Activation` subclass (``PReLU`` → one α per unit);
    or a callable Value → Value (wrapped in `Lambda`). Unknown names raise ValueError listing
    the valid ones. Lecture A2: pick a = f(z) (e.g. ``"relu"``: a' = 1 for z > 0, 0 otherwise).
    """
    kinds = (Module, Activation, PReLU, Lambda)
    return resolve_activation(
        spec, num_features, ACTIVATIONS, lambda make: make(num_features), kinds, "Value"
    )


def resolve_activation(
    spec: Any,
    num_features: int,
    registry: Mapping[str, Callable[..., Any]],
    build: Callable[[Callable[..., Any]], Any],
    kinds: tuple[Any, Any, Any, Any],
    node: str,
    check_prelu: Callable[[Any], None] | None = None,
) -> Any:
    """`get_activation` for either backend (the spec rules above, written once).

    `registry`: the backend's name → factory; `build(factory_or_PReLU_class)` calls it for
    `num_features` units (the NumPy backend adds its dtype); `kinds`: the backend's (Module,
    Activation, PReLU, Lambda) classes; `node`: "Value" or "Tensor" for messages; `check_prelu`:
    a further check of a given PReLU module (the NumPy backend's dtype).
    """
    module_type, activation_type, prelu_type, lambda_type = kinds
    if isinstance(spec, str):
        if spec not in registry:
            raise ValueError(f"activation: got {spec!r}; expected one of {', '.join(map(repr, registry))}.")
        return build(registry[spec])
    if isinstance(spec, prelu_type):
        n = len(spec.alpha)
        if n not in (1, num_features):
            raise ValueError(
                f"activation: {spec!r} has {n} α's; this layer has {num_features} units "
                f"(use PReLU(1) or PReLU({num_features}))."
            )
        if check_prelu is not None:
            check_prelu(spec)
    if isinstance(spec, module_type):
        return spec
    if isinstance(spec, type) and issubclass(spec, activation_type):
        return build(spec) if issubclass(spec, prelu_type) else spec()
    if callable(spec):
        return lambda_type(spec)
    raise TypeError(
        f"activation: got {type(spec).__name__} {spec!r:.40}; expected a name, an activation module or "
        f"a callable {node} → {node}."
    )
