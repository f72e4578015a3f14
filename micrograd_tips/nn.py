"""Layers on the scalar engine: `Neuron`, `Layer`, `Linear`, `MLP`, `Sequential` (and `Module`).

micrograd's classes, with micrograd's constructor: ``Neuron(nin, nonlin=True)``, ``Layer(nin,
nout, nonlin=False)``, ``MLP(nin, nouts)`` (ReLU hidden layers, linear output); `Neuron.w`,
`Neuron.b`, `Layer.neurons`, `MLP.layers`, and ``random.seed(s); MLP(...)`` draws micrograd's
weights. Beyond micrograd: any activation (`activation=`, a name of `activations.activation_names()`,
a module or a callable Value → Value), initialisations (`_init`: ``init="uniform"`` by default,
"xavier", "he", "auto"), `rng`/`seed`, dropout in `MLP`, PyTorch-like state dicts.

- State dicts: name → nested lists of floats. ``Layer``/``Linear``: ``weight`` (nout, nin),
  ``bias`` (nout,) (+ ``activation.alpha`` with PReLU); ``Neuron``: ``weight`` (nin,), ``bias``
  () (a bare float). Containers prefix the path: ``MLP`` → ``layers.0.weight``; ``Sequential`` →
  ``0.weight``. The NumPy backend (`micrograd_tips.tensor.nn`) has the same names and shapes.
- ``named_parameters()`` names single Values: ``layers.0.weight[3][1]``, ``layers.0.bias[3]``;
  ``parameters()`` come per layer, per neuron, weights then bias (micrograd's order).

Lecture section 0 (the recipe): step 1, "define a set of functions" — the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._activation_table import activation_spec
from ._checks import check_positive_int, check_str
from ._init import INIT_SCHEMES, RandomSource, init_scheme, resolve_rng, weight_sampler
from ._layer_base import MLPBase
from ._module_base import SequentialBase
from .activations import Activation, PReLU, get_activation, suited_init
from .dropout import Dropout
from .engine import Value, dot
from .module import Module, as_inputs

__all__ = ["INIT_SCHEMES", "MLP", "Layer", "Linear", "Module", "Neuron", "RandomSource", "Sequential"]


class Neuron(Module):
    """One neuron: a = σ(z), z = w·x + b (a single `dot` node), σ the activation (ReLU by default).

    ``Neuron(nin, nonlin=False)`` is micrograd's linear neuron. `w` (nin parameters) and `b`
    (0 at start) as in micrograd; state dict ``weight`` (nin,), ``bias`` ().
    ∂z/∂wᵢ = xᵢ, ∂z/∂b = 1. Lecture 0: the basic unit of the network.
    """

    def __init__(
        self,
        nin: int,
        activation: Any = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        label: str = "",
    ) -> None:
        super().__init__()
        nin = check_positive_int("Neuron(nin)", nin)
        label = check_str("Neuron(label)", label)
        self.activation = get_activation(activation_spec(activation, nonlin, "Neuron"), 1)
        draw = weight_sampler(
            init_scheme(init, suited_init(self.activation)), nin, 1, resolve_rng(rng, seed, "Neuron")
        )
        self.w = [Value.parameter(draw(), f"{label}w{i}") for i in range(nin)]
        self.b = Value.parameter(0.0, f"{label}b")

    @classmethod
    def _of(cls, w: list[Value], b: Value, activation: Module) -> Neuron:
        """A neuron made of existing parameters (a `Layer`'s row j): shares them, draws nothing."""
        neuron = cls.__new__(cls)
        Module.__init__(neuron)
        neuron.activation, neuron.w, neuron.b = activation, w, b
        return neuron

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: False when the neuron is linear (a = z)."""
        return not (isinstance(self.activation, Activation) and self.activation.name == "linear")

    def _param_tree(self) -> dict[str, Any]:
        return {"weight": self.w, "bias": self.b}

    def parameters(self) -> list[Value]:
        """w, then b (micrograd's order), then a PReLU's α."""
        return [*self.w, self.b, *self.activation.parameters()]

    def forward(self, x: Any) -> Value:
        """a = σ(w·x + b) for one example x (nin numbers/Values)."""
        xs = as_inputs(x, len(self.w), "Neuron(x)")
        return self.activation(dot(self.w, xs, self.b))

    def extra_repr(self) -> str:
        return f"{len(self.w)}"


class Layer(Module):
    """A fully connected layer: a_j = σ(z_j), z_j = w_j·x + b_j for j = 1..nout (micrograd's Layer).

    `neurons[j]` is neuron j (its `w` is row j of `weight`, its `b` is `bias[j]`); `activation`
    (ReLU by default; ``nonlin=False``: linear) is applied to the list of z's, so ``"prelu"``
    gives one learned α per neuron. Parameters come per neuron, weights then bias (micrograd);
    state dict ``weight`` (nout, nin), ``bias`` (nout,). Returns a Value when nout == 1, else a list.
    ∂z_j/∂w_ji = x_i, ∂z_j/∂b_j = 1, ∂z_j/∂x_i = w_ji (the `dot` node).
    Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Any = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        label: str = "",
    ) -> None:
        super().__init__()
        who = type(self).__name__
        self.nin = check_positive_int(f"{who}(nin)", nin)
        self.nout = check_positive_int(f"{who}(nout)", nout)
        label = check_str(f"{who}(label)", label)
        self.activation = get_activation(activation_spec(activation, nonlin, who), self.nout)
        scheme = init_scheme(init, suited_init(self.activation))
        draw = weight_sampler(scheme, self.nin, self.nout, resolve_rng(rng, seed, who))
        self.weight = [
            [Value.parameter(draw(), f"{label}w{j}.{i}") for i in range(self.nin)] for j in range(self.nout)
        ]
        self.bias = [Value.parameter(0.0, f"{label}b{j}") for j in range(self.nout)]
        self.neurons = [
            Neuron._of(w, b, self._unit_activation(j)) for j, (w, b) in enumerate(zip(self.weight, self.bias))
        ]

    def _unit_activation(self, j: int) -> Module:
        """Neuron j's σ: the layer's, or neuron j's own α of a per-neuron PReLU (shared, not copied)."""
        act = self.activation
        return act.unit(j) if isinstance(act, PReLU) and act.num_parameters > 1 else act

    def named_children(self) -> list[tuple[str, Module]]:
        """Only the activation σ (the neurons are views of `weight` and `bias`, not more modules)."""
        return [("activation", self.activation)]

    def _param_tree(self) -> dict[str, Any]:
        return {"weight": self.weight, "bias": self.bias}

    def _own_named_parameters(self) -> list[tuple[str, Value]]:
        out: list[tuple[str, Value]] = []
        for j, (w, b) in enumerate(zip(self.weight, self.bias)):
            out.extend((f"weight[{j}][{i}]", wi) for i, wi in enumerate(w))
            out.append((f"bias[{j}]", b))
        return out

    def parameters(self) -> list[Value]:
        """Neuron by neuron, its weights then its bias (micrograd's order); then a PReLU's α."""
        out: list[Value] = []
        for w, b in zip(self.weight, self.bias):
            out += w
            out.append(b)
        return out + self.activation.parameters()

    def forward(self, x: Any) -> Value | list[Value]:
        """[σ(w_j·x + b_j) for each neuron j]; a Value when nout == 1."""
        xs = as_inputs(x, self.nin, f"{type(self).__name__}(x)")
        out = self.activation([dot(w, xs, b) for w, b in zip(self.weight, self.bias)])
        return out[0] if self.nout == 1 else out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nin} → {self.nout}, activation={self.activation!r})"


class Linear(Layer):
    """An affine layer z = W·x + b with no activation (the last layer of an MLP); a = z, a' = 1.

    Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        label: str = "",
    ) -> None:
        super().__init__(nin, nout, "linear", init=init, rng=rng, seed=seed, label=label)

    def named_children(self) -> list[tuple[str, Module]]:
        """None: a Linear layer has no activation module."""
        return []

    def __repr__(self) -> str:
        return f"Linear({self.nin} → {self.nout})"


class MLP(MLPBase, Module):
    """A multilayer perceptron: hidden `Layer`s with `activation`, the last one `output_activation`.

    ``MLP(2, [16, 16, 1])`` is micrograd's model (ReLU hidden layers, linear output, weights
    U(−1, 1) drawn from Python's global `random`). `activation` is one spec for every hidden
    layer or a list with one per hidden layer (a PReLU module cannot be shared by two layers).
    Optional dropout (lecture B3): `input_dropout` on the inputs and `dropout` after every hidden
    layer, with `dropout_scaling`/`dropout_resample` as in `Dropout`; p = 0 adds no module.
    State dict: ``layers.k.weight``, ``layers.k.bias`` (and ``layers.k.activation.alpha`` with PReLU).
    y = f_L(…f_2(f_1(x))), f_k(x) = σ_k(W_k·x + b_k). Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Any = "relu",
        *,
        output_activation: Any = "linear",
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        dropout_scaling: str = "lecture",
        dropout_resample: str = "batch",
    ) -> None:
        super().__init__()
        sizes, acts = self._layer_specs(nin, nouts, activation)
        source = resolve_rng(rng, seed, "MLP")
        self.layers: list[Layer] = [
            Layer(sizes[k], sizes[k + 1], act, init=init, rng=source, label=f"L{k}.")
            for k, act in enumerate([*acts, output_activation])
        ]
        self._add_dropouts(Dropout, dropout, input_dropout, dropout_scaling, dropout_resample, source)

    def parameters(self) -> list[Value]:
        """Layer by layer (micrograd's order); dropouts have none."""
        out: list[Value] = []
        for layer in self.layers:
            out += layer.parameters()
        return out

    def forward(self, x: Any) -> Value | list[Value]:
        """Pass one example through the layers (and the dropouts, in training mode)."""
        if self.input_dropout is not None:
            x = self.input_dropout(as_inputs(x, self.layers[0].nin, "MLP(x)"))
        for k, layer in enumerate(self.layers):
            x = layer(x)
            if k < len(self.dropouts):
                x = self.dropouts[k](x)
        return x


class Sequential(SequentialBase[Value], Module):
    """Modules applied in order: y = f_n(…f_2(f_1(x))), one example at a time (see `SequentialBase`).

    State-dict names are ``0.weight``, ``1.alpha``, … Lecture 0, step 1 (define a set of functions):
    chain rule ∂y/∂x = f_n'·…·f_1'.
    """
