"""Layers of the NumPy backend, mirroring `micrograd_tips.nn` name for name.

`Module`, `Neuron`, `Layer`, `Linear`, `MLP`, `Sequential` here, plus the activation modules,
`Maxout` and `Dropout` re-exported, so ``from micrograd_tips.tensor import nn`` gives everything.
Same constructor arguments as the scalar classes (``nonlin=`` too), plus ``dtype=``. A layer
computes a whole batch at once: x of shape (N, nin) → (N, nout), z = x·Wᵀ + b in one fused
`linear` node. State dicts carry the scalar backend's names and shapes; with the same `seed` and
`init` the two backends draw the same initial weights.

Defaults made for the natural path ``load_mnist_5k()`` → ``MLP(784, [128, 10])`` → `fit`:
``init="auto"`` — each layer gets the initialisation that suits its activation (`_init`: He for
the ReLU family and Maxout, Xavier for sigmoid, tanh and the linear output), so the cross-entropy
starts near ln 10 (the scalar backend keeps micrograd's "uniform"); ``dtype=None`` — float64
parameters, and a float32 array input is widened exactly (`module.as_input`); pass
``dtype="float32"`` for float32 arithmetic (about twice as fast).

Lecture section 0 (the recipe): step 1, "define a set of functions" — the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._activation_table import activation_spec
from .._checks import check_positive_int, check_str
from .._init import init_scheme
from .._layer_base import MLPBase
from .._module_base import SequentialBase
from .activations import (
    ELU,
    Activation,
    Identity,
    Lambda,
    LeakyReLU,
    PReLU,
    ReLU,
    Sigmoid,
    Tanh,
    activation_names,
    get_activation,
    suited_init,
)
from .dropout import Dropout
from .engine import Tensor, linear
from .init import init_weights, resolve_source
from .maxout import Maxout
from .module import Module, as_input, module_dtype

__all__ = [
    "ELU",
    "MLP",
    "Activation",
    "Dropout",
    "Identity",
    "Lambda",
    "Layer",
    "LeakyReLU",
    "Linear",
    "Maxout",
    "Module",
    "Neuron",
    "PReLU",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "activation_names",
    "get_activation",
]


class Neuron(Module):
    """One neuron a = σ(w·x + b) for a batch x (N, nin) → (N,). State: ``weight`` (nin,), ``bias`` ().

    ∂z/∂w = x, ∂z/∂b = 1 for z = w·x + b.
    Lecture 0, step 1 (define a set of functions): the basic unit of the network.
    """

    def __init__(
        self,
        nin: int,
        activation: Any = None,
        *,
        nonlin: bool | None = None,
        init: str = "auto",
        rng: Any = None,
        seed: int | None = None,
        label: str = "",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.nin = check_positive_int("Neuron(nin)", nin)
        label = check_str("Neuron(label)", label)
        self.dtype = module_dtype(dtype, "Neuron")
        self.activation = get_activation(activation_spec(activation, nonlin, "Neuron"), 1, self.dtype)
        source = resolve_source(rng, seed, "Neuron")
        scheme = init_scheme(init, suited_init(self.activation))
        w = init_weights(scheme, self.nin, 1, (self.nin,), source, self.dtype)
        self.w = Tensor.parameter(w, f"{label}w")
        self.b = Tensor.parameter(np.zeros((), self.dtype), f"{label}b")

    def _param_tree(self) -> dict[str, Tensor]:
        return {"weight": self.w, "bias": self.b}

    def forward(self, x: Any) -> Tensor:
        """a = σ(x·w + b) for each row of x."""
        return self.activation(as_input(x, self.dtype, "Neuron(x)", self.nin) @ self.w + self.b)

    def extra_repr(self) -> str:
        return f"{self.nin}"


class Layer(Module):
    """A fully connected layer a = σ(x·Wᵀ + b), W (nout, nin), b (nout,), on a batch (N, nin).

    `activation`: a name, an activation module, or a callable Tensor → Tensor; ``"prelu"``
    gives one learned α per unit. State dict ``weight``, ``bias`` (+ ``activation.alpha``).
    For z = x·Wᵀ + b: ∂L/∂x = g·W, ∂L/∂W = gᵀ·x, ∂L/∂b = Σₙ gₙ (g = ∂L/∂z, the `linear` op).
    Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Any = None,
        *,
        nonlin: bool | None = None,
        init: str = "auto",
        rng: Any = None,
        seed: int | None = None,
        label: str = "",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        self.nin = check_positive_int(f"{who}(nin)", nin)
        self.nout = check_positive_int(f"{who}(nout)", nout)
        label = check_str(f"{who}(label)", label)
        self.dtype = module_dtype(dtype, who)
        self.activation = get_activation(activation_spec(activation, nonlin, who), self.nout, self.dtype)
        source = resolve_source(rng, seed, who)
        scheme = init_scheme(init, suited_init(self.activation))
        w = init_weights(scheme, self.nin, self.nout, (self.nout, self.nin), source, self.dtype)
        self.weight = Tensor.parameter(w, f"{label}weight")
        self.bias = Tensor.parameter(np.zeros(self.nout, self.dtype), f"{label}bias")

    def named_children(self) -> list[tuple[str, Module]]:
        """Only the activation σ (the weights are parameters, not sub-modules)."""
        return [("activation", self.activation)]

    def _param_tree(self) -> dict[str, Tensor]:
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x: Any) -> Tensor:
        """σ(x·Wᵀ + b): (N, nin) → (N, nout), or (nin,) → (nout,). ReLU is fused into the linear op."""
        xt = as_input(x, self.dtype, f"{type(self).__name__}(x)", self.nin)
        if isinstance(self.activation, Activation) and self.activation.name == "relu":
            return linear(xt, self.weight, self.bias, relu=True)
        return self.activation(linear(xt, self.weight, self.bias))

    def extra_repr(self) -> str:
        return f"{self.nin} → {self.nout}"


class Linear(Layer):
    """An affine layer z = x·Wᵀ + b with no activation (the last layer of an MLP); a = z, a' = 1.

    Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        init: str = "auto",
        rng: Any = None,
        seed: int | None = None,
        label: str = "",
        dtype: Any = None,
    ) -> None:
        super().__init__(nin, nout, "linear", init=init, rng=rng, seed=seed, label=label, dtype=dtype)

    def named_children(self) -> list[tuple[str, Module]]:
        """None: a Linear layer has no activation module."""
        return []


class MLP(MLPBase, Module):
    """A multilayer perceptron: hidden `Layer`s with `activation`, the last one `output_activation`.

    The scalar `MLP`'s arguments (``MLP(2, [16, 16, 1])``: ReLU hidden layers, linear output),
    optional dropout (lecture B3) on the inputs (`input_dropout`) and after every hidden layer
    (`dropout`), plus ``dtype``; ``init="auto"`` by default (see the module docstring).
    State dict: ``layers.k.weight``, ``layers.k.bias``
    (+ ``layers.k.activation.alpha``). Output (N, nout) for an (N, nin) batch.
    y = f_L(…f_2(f_1(x))), f_k(x) = σ_k(x·W_kᵀ + b_k). Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Any = "relu",
        *,
        output_activation: Any = "linear",
        init: str = "auto",
        rng: Any = None,
        seed: int | None = None,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        dropout_scaling: str = "lecture",
        dropout_resample: str = "batch",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        sizes, acts = self._layer_specs(nin, nouts, activation)
        self.dtype = module_dtype(dtype, "MLP")
        source = resolve_source(rng, seed, "MLP")
        self.layers: list[Layer] = [
            Layer(sizes[k], sizes[k + 1], act, init=init, rng=source, label=f"L{k}.", dtype=self.dtype)
            for k, act in enumerate([*acts, output_activation])
        ]
        self._add_dropouts(Dropout, dropout, input_dropout, dropout_scaling, dropout_resample, source)

    def forward(self, x: Any) -> Tensor:
        """Pass a batch through the layers (and the dropouts, in training mode)."""
        x = as_input(x, self.dtype, "MLP(x)", self.layers[0].nin)
        if self.input_dropout is not None:
            x = self.input_dropout(x)
        for k, layer in enumerate(self.layers):
            x = layer(x)
            if k < len(self.dropouts):
                x = self.dropouts[k](x)
        return x


class Sequential(SequentialBase[Tensor], Module):
    """Modules applied in order: y = f_n(…f_2(f_1(x))), a whole batch at once (see `SequentialBase`).

    State-dict names are ``0.weight``, ``1.alpha``, … Lecture 0, step 1 (define a set of functions):
    chain rule ∂y/∂x = f_n'·…·f_1'.
    """
