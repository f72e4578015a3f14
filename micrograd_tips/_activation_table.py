"""The activation functions of lecture A1/A2 in one table, and what both backends' modules share.

Each row gives a = f(z) as a call of the node's own op (`Value.relu` or `Tensor.relu`; the engine
writes that op's local derivative beside its forward), the formula of f and of f′ (stated here
once), the lecture section, its fixed constant if it has one, and the initialisation that suits
it (`_init`: "he" for the ReLU family, "xavier" for the rest). Each backend has one elementwise
module, ``Activation`` (an `ActivationBase`), and the one-line named classes ``ReLU``, ``Sigmoid``, …
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ._checks import check_bool, check_callable, check_choice, check_real, fail
from ._module_base import ModuleBase

__all__ = [
    "ACTIVATIONS",
    "ActivationBase",
    "ActivationRow",
    "LambdaBase",
    "activation_names",
    "activation_spec",
    "resolve_activation",
    "suited_init",
]


@dataclass(frozen=True)
class ActivationRow:
    """One activation: its class name, f, the formulas of f and f′, lecture section, init, constant."""

    cls: str  # the class name in both backends
    f: Callable[..., Any]  # a = f(z) or f(z, constant), calling the node's own op
    formula: str  # a = f(z)
    derivative: str  # f′(z) = da/dz
    section: str  # the lecture section
    init: str  # the initialisation that suits it: "he" or "xavier"
    constant: str = ""  # the name of its fixed constant, if any
    default: float = 0.0  # the constant's default


# fmt: off
ACTIVATIONS: dict[str, ActivationRow] = {
    "sigmoid":    ActivationRow("Sigmoid", lambda z: z.sigmoid(), "σ(z) = 1/(1 + e⁻ᶻ)",
                                "σ(z)(1 − σ(z)) ≤ ¼: the gradient shrinks at every layer", "A1", "xavier"),
    "tanh":       ActivationRow("Tanh", lambda z: z.tanh(), "tanh z = 2σ(2z) − 1",
                                "1 − tanh² z ≤ 1", "A1", "xavier"),
    "relu":       ActivationRow("ReLU", lambda z: z.relu(), "max(0, z)",
                                "1 (z > 0), 0 (z ≤ 0): no vanishing gradient", "A2", "he"),
    "leaky_relu": ActivationRow("LeakyReLU", lambda z, s: z.leaky_relu(s), "z (z > 0), s·z (z ≤ 0)",
                                "1 (z > 0), s (z ≤ 0)", "A2", "he", "negative_slope", 0.01),
    "prelu":      ActivationRow("PReLU", lambda z, a: z.prelu(a), "z (z > 0), α·z (z ≤ 0), α learned",
                                "∂a/∂z = 1 or α;  ∂a/∂α = 0 or z", "A2", "he", "init", 0.25),
    "elu":        ActivationRow("ELU", lambda z, a: z.elu(a), "z (z > 0), α(eᶻ − 1) (z ≤ 0)",
                                "1 (z > 0), α·eᶻ (z ≤ 0)", "A2", "he", "alpha", 1.0),
    "linear":     ActivationRow("Identity", lambda z: z, "z (no non-linearity)",
                                "1", "A2", "xavier"),
}
# fmt: on
"""Name → row. ``prelu``'s constant is the starting α (0.25, PyTorch's); its module learns α."""


def activation_names() -> list[str]:
    """The names `get_activation` accepts."""
    return list(ACTIVATIONS)


def suited_init(activation: Any) -> str:
    """The initialisation that suits an activation module: "he" for the ReLU family, else "xavier"."""
    row = ACTIVATIONS.get(getattr(activation, "name", ""))
    return row.init if row is not None else "xavier"


_DEFAULT: Any = object()  # "the row's default constant" (None is a wrong constant, not a default)


class ActivationBase(ModuleBase[Any]):
    """a = f(z) elementwise, f the table row `name` — what both backends' ``Activation`` share.

    ``Activation(name="elu")`` or a named class (``ELU(2.0)``: one line each, declared with
    ``class ELU(Activation, name="elu")``); `constant` overrides the row's default (s, α).
    Lecture A2: backprop multiplies by f′(z) at every layer, so f decides whether gradients vanish.
    """

    name: str = "linear"
    _named: ClassVar[dict[str, type[Any]]]  # name → named class, one dict per backend

    def __init_subclass__(cls, name: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if name:  # a named class: register it, and let help() show its row
            row = ACTIVATIONS[name]
            cls.name = name
            cls._named[name] = cls
            formulas = f"a = {row.formula};  a′ = {row.derivative}. Lecture {row.section}."
            cls.__doc__ = f"{cls.__doc__}\n\n{formulas}"

    def __init__(self, constant: Any = _DEFAULT, *, name: str | None = None, **by_name: Any) -> None:
        super().__init__()
        if name is not None:
            self.name = check_choice("Activation(name)", name, [n for n in ACTIVATIONS if n != "prelu"])
        row = self.row
        if by_name:  # the constant by its own name: LeakyReLU(negative_slope=0.2), ELU(alpha=2.0)
            if constant is not _DEFAULT or list(by_name) != [row.constant]:
                fail(f"{row.cls}(**kwargs)", by_name, f"only {row.constant or 'no constant'}, given once")
            constant = by_name[row.constant]
        if row.constant:
            value = check_real(
                f"{row.cls}({row.constant})", row.default if constant is _DEFAULT else constant
            )
            setattr(self, row.constant, value)
            self.args: tuple[float, ...] = (value,)
        elif constant is not _DEFAULT:
            fail(f"{row.cls}(constant)", constant, f"nothing: {row.cls} has no constant")
        else:
            self.args = ()

    @property
    def row(self) -> ActivationRow:
        """This activation's row of `ACTIVATIONS`."""
        return ACTIVATIONS[self.name]

    def f(self, z: Any) -> Any:
        """a = f(z) for one node z (a Value or a Tensor)."""
        return self.row.f(z, *self.args)

    def elementwise(self) -> Callable[[Any], Any]:
        """The function z ↦ a itself (the row's f with its constant bound), to apply many times."""
        f, args = self.row.f, self.args
        return (lambda z: f(z, *args)) if args else f

    def extra_repr(self) -> str:
        parts = [] if type(self).name == self.name else [f"name={self.name!r}"]
        if self.row.constant:
            parts.append(f"{self.row.constant}={self.args[0]}")
        return ", ".join(parts)


class LambdaBase(ActivationBase):
    """A callable z ↦ a (e.g. ``lambda z: z.tanh()``) as an elementwise activation; a′ is whatever
    backprop through its ops gives. A backend sets `_node`, the type the callable must return."""

    _node: ClassVar[type[Any]]

    def __init__(self, fn: Callable[[Any], Any], name: str | None = None) -> None:
        ModuleBase.__init__(self)
        self.fn = check_callable("Lambda(fn)", fn)
        self.name = name or str(getattr(fn, "__name__", "lambda"))
        self.args = ()

    def elementwise(self) -> Callable[[Any], Any]:
        return self.f

    def f(self, z: Any) -> Any:
        """a = fn(z), which must be a node of this backend."""
        a = self.fn(z)
        if not isinstance(a, self._node):
            fail(f"activation {self.name!r}", a, f"a {self._node.__name__} (it returned {type(a).__name__})")
        return a

    def extra_repr(self) -> str:
        return self.name


def activation_spec(activation: Any, nonlin: bool | None, who: str) -> Any:
    """micrograd's ``nonlin`` (True: ReLU, False: linear) or `activation` (ReLU when neither is given)."""
    if nonlin is None:
        return "relu" if activation is None else activation
    if activation is not None:
        fail(f"{who}(activation, nonlin)", (activation, nonlin), "activation or nonlin, not both", ValueError)
    return check_bool(f"{who}(nonlin)", nonlin)


def resolve_activation(spec: Any, units: int, kinds: tuple[type[Any], type[Any], type[Any]]) -> Any:
    """An activation module for a layer of `units` units, from `spec` — both backends' rule.

    `spec`: a table name; True/False (micrograd's ``nonlin``: ReLU or linear); a module of this
    backend, used as is (a PReLU must have 1 or `units` α's); a named activation class (``PReLU``
    gets one α per unit); or a callable z ↦ a, wrapped in ``Lambda``. `kinds` is the backend's
    (Activation, PReLU, Lambda).
    """
    activation, prelu, lambda_ = kinds
    if isinstance(spec, bool):
        spec = "relu" if spec else "linear"
    if isinstance(spec, str):
        name = check_choice("activation", spec, ACTIVATIONS)
        return prelu(units) if name == "prelu" else activation._named[name]()
    if isinstance(spec, type) and issubclass(spec, (activation, prelu)):
        return spec(units) if issubclass(spec, prelu) else spec()
    if isinstance(spec, prelu) and spec.num_parameters not in (1, units):
        fail("activation", spec, f"PReLU(1) or PReLU({units}) for a layer of {units} units", ValueError)
    if isinstance(spec, activation._backend):
        return spec
    if callable(spec) and not isinstance(spec, (type, ModuleBase)):
        return lambda_(spec)
    return fail("activation", spec, "a name, True/False, an activation module of this backend or a callable")
