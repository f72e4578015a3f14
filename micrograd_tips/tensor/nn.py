"""Layers of the NumPy backend, mirroring `micrograd_tips.nn` name for name.

`Module`, `Neuron`, `Layer`, `Linear`, `MLP`, `Sequential` here, plus the activation modules,
`Maxout` and `Dropout` re-exported, so ``from micrograd_tips.tensor import nn`` gives everything.
Same constructor arguments as the scalar classes, plus ``dtype=`` (float64 by default). A layer
computes a whole batch at once: x of shape (N, nin) → (N, nout), z = x·Wᵀ + b in one fused
`linear` node. State dicts carry the scalar backend's names and shapes; with the same `seed` the
two backends draw the same initial weights.

Lecture section 0 (the recipe): step 1, "define a set of functions" — the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._module_base import SequentialBase
from ..nn import MLPBase, check_count, check_label
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
)
from .dropout import Dropout
from .engine import Tensor
from .init import init_weights, resolve_source
from .maxout import Maxout
from .module import Module, as_input, module_dtype
from .ops import linear

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
        activation: Any = "relu",
        *,
        init: str = "uniform",
        rng: Any = None,
        seed: int | None = None,
        label: str = "",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.nin = check_count(nin, "Neuron(nin)")
        label = check_label(label, "Neuron")
        self.dtype = module_dtype(dtype, "Neuron")
        source = resolve_source(rng, seed, "Neuron")
        self.w = Tensor.parameter(
            init_weights(init, self.nin, 1, (self.nin,), source, self.dtype), f"{label}w"
        )
        self.b = Tensor.parameter(np.zeros((), self.dtype), f"{label}b")
        self.activation = get_activation(activation, 1, self.dtype)

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
        activation: Any = "relu",
        *,
        init: str = "uniform",
        rng: Any = None,
        seed: int | None = None,
        label: str = "",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        who = type(self).__name__
        self.nin = check_count(nin, f"{who}(nin)")
        self.nout = check_count(nout, f"{who}(nout)")
        label = check_label(label, who)
        self.dtype = module_dtype(dtype, who)
        source = resolve_source(rng, seed, who)
        w = init_weights(init, self.nin, self.nout, (self.nout, self.nin), source, self.dtype)
        self.weight = Tensor.parameter(w, f"{label}weight")
        self.bias = Tensor.parameter(np.zeros(self.nout, self.dtype), f"{label}bias")
        self.activation = get_activation(activation, self.nout, self.dtype)

    def named_children(self) -> list[tuple[str, Module]]:
        """Only the activation σ (the weights are parameters, not sub-modules)."""
        return [("activation", self.activation)]

    def _param_tree(self) -> dict[str, Tensor]:
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x: Any) -> Tensor:
        """σ(x·Wᵀ + b): (N, nin) → (N, nout), or (nin,) → (nout,). ReLU is fused into the linear op."""
        xt = as_input(x, self.dtype, f"{type(self).__name__}(x)", self.nin)
        if type(self.activation) is ReLU:
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
        init: str = "uniform",
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
    (`dropout`), plus ``dtype``. State dict: ``layers.k.weight``, ``layers.k.bias``
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
        init: str = "uniform",
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
        hidden = len(acts)
        self.dtype = module_dtype(dtype, "MLP")
        source = resolve_source(rng, seed, "MLP")
        self.layers: list[Layer] = []
        for k in range(hidden + 1):
            act = acts[k] if k < hidden else output_activation
            self.layers.append(
                Layer(sizes[k], sizes[k + 1], act, init=init, rng=source, label=f"L{k}.", dtype=self.dtype)
            )
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
