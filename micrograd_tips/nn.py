"""Layers on the scalar engine: `Module`, `Neuron`, `Layer`, `Linear`, `MLP`, `Sequential`.

API contract (the NumPy backend `micrograd_tips.tensor.nn` mirrors these names exactly):

- ``Module``: ``forward(x)`` (``__call__`` calls it), ``forward_batch(X)``, ``parameters()``,
  ``named_parameters()``, ``zero_grad()``, ``train(mode=True)``, ``eval()``, ``training``,
  ``state_dict()``, ``load_state_dict(state)``, ``children()``, ``named_children()``, ``modules()``,
  ``named_modules()``.
- Scalar inputs and outputs: one example is a list of numbers/Values (or a single number/Value
  when the module takes one input); a module with one output returns a `Value`, otherwise a list
  of Values (micrograd's convention). ``forward_batch(X)`` takes a list of examples (or a 2-D
  array), returns the list of their outputs and starts a new mini-batch for
  ``Dropout(resample="batch")``.
- State dicts are PyTorch-like: name → nested lists of floats. ``Layer``/``Linear``: ``weight``
  (nout, nin), ``bias`` (nout,); a PReLU activation adds ``activation.alpha`` ((nout,) per neuron
  or (1,) per layer); ``Neuron``: ``weight`` (nin,), ``bias`` () (a bare float); ``Maxout``:
  ``weight`` (nout, k, nin), ``bias`` (nout, k) with k learnable pieces. Containers prefix the
  attribute path: ``MLP`` → ``layers.0.weight``; ``Sequential`` → ``0.weight``.
- ``named_parameters()`` names single Values: ``layers.0.weight[3][1]``, ``layers.0.bias[3]``;
  ``parameters()`` of a Layer come per neuron, weights then bias (micrograd's order).
- Initialisation (``init=``): ``"uniform"`` w ~ U(−1, 1) (micrograd); ``"xavier"`` w ~ U(−a, a),
  a = √(6/(nin + nout)) (Glorot & Bengio 2010); ``"he"`` w ~ N(0, 2/nin) (He et al. 2015).
  Biases start at 0. Weights are drawn per neuron, input by input. ``rng=None, seed=None`` draws
  from Python's global ``random`` (so ``random.seed(s)`` then ``MLP(...)`` gives micrograd's weights).

Lecture section 0 (the recipe): step 1, "define a set of functions" — the network.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ._module_base import ModuleBase, SequentialBase
from .engine import Value, dot

__all__ = [
    "INIT_SCHEMES",
    "MLP",
    "MLPBase",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "RandomSource",
    "Sequential",
    "as_inputs",
    "as_values",
    "check_count",
    "check_label",
    "check_real",
    "resolve_rng",
    "weight_sampler",
]

INIT_SCHEMES = ("uniform", "xavier", "he")


class RandomSource(Protocol):
    """What the modules need from a random generator (`random.Random` or the `random` module)."""

    def random(self) -> float: ...
    def uniform(self, a: float, b: float) -> float: ...
    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float: ...


# ---------------------------------------------------------------------------------------------
# Argument checks shared by the modules of this package
# ---------------------------------------------------------------------------------------------


def check_count(value: object, name: str, minimum: int = 1) -> int:
    """Return `value` if it is an int ≥ `minimum` (not a bool), else raise TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: got {type(value).__name__} {value!r}; expected an int ≥ {minimum}.")
    if value < minimum:
        raise ValueError(f"{name}: got {value}; expected an int ≥ {minimum}.")
    return int(value)


def check_real(value: object, name: str) -> float:
    """Return `value` as a finite float, or raise naming `name` (bools and nan/inf are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: got {type(value).__name__} {value!r:.60}; expected a real number.")
    if not math.isfinite(value):
        raise ValueError(f"{name}: got {value!r}; expected a finite real number.")
    return float(value)


def check_label(value: object, who: str) -> str:
    """Return `value` if it is a str (the prefix of the parameters' labels), else raise TypeError."""
    if not isinstance(value, str):
        raise TypeError(f"{who}(label=...): got {type(value).__name__}; expected a str.")
    return value


def resolve_rng(rng: RandomSource | None, seed: int | None, who: str) -> RandomSource:
    """The generator a module draws from: `rng`, else `random.Random(seed)`, else the global `random`.

    Giving both is ambiguous and raises ValueError; `seed` must be an int.
    """
    if rng is not None and seed is not None:
        raise ValueError(f"{who}: give either rng or seed, not both.")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"{who}(seed=...): got {type(seed).__name__} {seed!r}; expected an int or None.")
        return random.Random(int(seed))
    if rng is None:
        return random  # the module has the same functions as random.Random
    if not all(callable(getattr(rng, f, None)) for f in ("random", "uniform", "gauss")):
        raise TypeError(f"{who}(rng=...): got {type(rng).__name__}; expected a random.Random instance.")
    return rng


def weight_sampler(init: str, nin: int, nout: int, rng: RandomSource) -> Callable[[], float]:
    """A function drawing one initial weight for a layer with `nin` inputs and `nout` outputs.

    "uniform": U(−1, 1) (micrograd);  "xavier": U(−a, a), a = √(6/(nin + nout));
    "he": N(0, σ²) with σ = √(2/nin). Lecture A1/A2: deep sigmoid/ReLU nets need the last two.
    """
    if init == "uniform":
        return lambda: rng.uniform(-1.0, 1.0)
    if init == "xavier":
        a = math.sqrt(6.0 / (nin + nout))
        return lambda: rng.uniform(-a, a)
    if init == "he":
        sigma = math.sqrt(2.0 / nin)
        return lambda: rng.gauss(0.0, sigma)
    raise ValueError(f"init: got {init!r}; expected one of {', '.join(map(repr, INIT_SCHEMES))}.")


def as_values(x: Any, who: str) -> tuple[list[Value], bool]:
    """(list of Values, whether x was a single Value/number); numbers become data leaves.

    For elementwise modules (activations, dropout): a Value, a number or a list of them.
    """
    if type(x) is list and set(map(type, x)) <= {Value}:  # the hot path: a layer's output
        return x, False
    if isinstance(x, Value):
        return [x], True
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return [Value(float(x))], True
    if hasattr(x, "tolist") and not isinstance(x, (list, tuple)):
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{who}: got {type(x).__name__}; expected a Value, a number or a list of them.")
    out = []
    for i, xi in enumerate(x):
        if isinstance(xi, Value):
            out.append(xi)
        elif isinstance(xi, numbers.Real) and not isinstance(xi, bool):
            out.append(Value(float(xi)))
        else:
            raise TypeError(
                f"{who}: element [{i}] is {type(xi).__name__} {xi!r:.40}; expected a number or Value."
            )
    return out, False


def as_inputs(x: object, nin: int, who: str) -> list[Value]:
    """One example as a list of `nin` Values: numbers become data leaves, Values pass through.

    A single number or Value is accepted when nin == 1; anything with `.tolist()` (a NumPy row)
    is read through it.
    """
    xs, single = as_values(x, who)
    if single and nin != 1:
        raise ValueError(f"{who}: got a single value; expected a list of {nin} inputs.")
    if len(xs) != nin:
        raise ValueError(f"{who}: got {len(xs)} inputs; expected {nin}.")
    return xs


# ---------------------------------------------------------------------------------------------
# Nested lists (state dicts)
# ---------------------------------------------------------------------------------------------


def _shape(tree: Any) -> tuple[int, ...]:
    """Shape of a rectangular nested list of Values (a bare Value has shape ())."""
    shape: list[int] = []
    while isinstance(tree, list):
        shape.append(len(tree))
        tree = tree[0] if tree else None
    return tuple(shape)


def _data(tree: Any) -> Any:
    """The floats of a nested list of Values, same nesting."""
    return tree.data if isinstance(tree, Value) else [_data(t) for t in tree]


def _leaves(tree: Any) -> list[Value]:
    """All Values of a nested list, row-major."""
    return [tree] if isinstance(tree, Value) else [v for t in tree for v in _leaves(t)]


def _read_floats(value: Any, key: str) -> tuple[list[float], tuple[int, ...]]:
    """Flatten a loaded nested list (or array/tensor via `.tolist()`) to floats; check it is rectangular."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()
    flat: list[float] = []

    def walk(node: Any, where: str) -> tuple[int, ...]:
        if isinstance(node, (list, tuple)):
            shapes = {walk(child, f"{where}[{i}]") for i, child in enumerate(node)}
            if len(shapes) > 1:
                raise ValueError(f"load_state_dict: {key!r} is ragged at {where or 'top level'}.")
            return (len(node), *(shapes.pop() if shapes else ()))
        if isinstance(node, bool) or not isinstance(node, numbers.Real):
            raise TypeError(
                f"load_state_dict: {key!r}{where} is {type(node).__name__} {node!r:.40}; expected a number."
            )
        flat.append(float(node))
        return ()

    return flat, walk(value, "")


# ---------------------------------------------------------------------------------------------
# Module
# ---------------------------------------------------------------------------------------------


class Module(ModuleBase[Value], backend_root=True):
    """Base class of every layer: parameters, train/eval mode, state dicts, batches.

    Subclasses implement `forward(x)` and declare their own parameters in `_param_tree()` (name →
    nested list of Values). Sub-modules are found automatically among the attributes (a Module, or
    a list/tuple of Modules named ``attr.i``), in attribute order; override `named_children()` to
    choose. Section 0 of the lecture: the "set of functions" whose parameters θ training picks.
    The tree walk, naming, train/eval and repr are shared with the NumPy backend (`ModuleBase`).
    """

    def forward_batch(self, X: Any) -> list[Any]:
        """[forward(x) for x in X] as one mini-batch: Dropout(resample="batch") draws one new mask.

        `X` is a list of examples or a 2-D array (rows are examples).
        """
        if isinstance(X, (str, bytes, Value)) or not hasattr(X, "__iter__"):
            raise TypeError(f"forward_batch(X): got {type(X).__name__}; expected a list of examples.")
        return self._run_batch(lambda: [self.forward(x) for x in X])

    def _own_named_parameters(self) -> list[tuple[str, Value]]:
        """Own parameters one Value at a time, named ``name[i][j]``; row-major unless overridden."""
        out: list[tuple[str, Value]] = []
        for name, tree in self._param_tree().items():
            out.extend(_index_names(name, tree))
        return out

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    # -- state dicts ---------------------------------------------------------------------------

    def _named_trees(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, module in self.named_modules():
            for name, tree in module._param_tree().items():
                out[f"{path}.{name}" if path else name] = tree
        return out

    def state_dict(self) -> dict[str, Any]:
        """name → nested lists of floats, PyTorch-like names and shapes (see the module docstring)."""
        return {name: _data(tree) for name, tree in self._named_trees().items()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy parameter values from `state` (nested lists, or arrays/tensors with `.tolist()`).

        Every name and shape is checked before anything changes: a missing or unexpected key
        raises KeyError, a wrong shape ValueError, a non-number TypeError; the model is then untouched.
        """
        trees = self._named_trees()
        self._check_state_keys(state, list(trees))
        staged: list[tuple[list[Value], list[float]]] = []
        for key, tree in trees.items():
            floats, shape = _read_floats(state[key], key)
            expected = _shape(tree)
            if shape != expected:
                raise ValueError(f"load_state_dict: {key!r} has shape {shape}; expected {expected}.")
            staged.append((_leaves(tree), floats))
        for values, floats in staged:
            for v, f in zip(values, floats):
                v.data = f


def _index_names(name: str, tree: Any) -> list[tuple[str, Value]]:
    if isinstance(tree, Value):
        return [(name, tree)]
    return [pair for i, t in enumerate(tree) for pair in _index_names(f"{name}[{i}]", t)]


# ---------------------------------------------------------------------------------------------
# Neuron, Layer, Linear
# ---------------------------------------------------------------------------------------------


class Neuron(Module):
    """One neuron: a = σ(z), z = w·x + b (a single `dot` node), σ the activation.

    `w` (list of nin parameters) and `b` (a parameter, 0 at start) as in micrograd; state dict
    ``weight`` (nin,), ``bias`` (). `activation`: a name (see `activations.activation_names()`),
    an activation module, or a callable Value → Value. Lecture 0: the basic unit of the network.
    """

    def __init__(
        self,
        nin: int,
        activation: Any = "relu",
        *,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        label: str = "",
    ) -> None:
        from .activations import get_activation

        super().__init__()
        nin = check_count(nin, "Neuron(nin)")
        label = check_label(label, "Neuron")
        draw = weight_sampler(init, nin, 1, resolve_rng(rng, seed, "Neuron"))
        self.w = [Value.parameter(draw(), f"{label}w{i}") for i in range(nin)]
        self.b = Value.parameter(0.0, f"{label}b")
        self.activation = get_activation(activation, 1)

    def _param_tree(self) -> dict[str, Any]:
        return {"weight": self.w, "bias": self.b}

    def forward(self, x: Any) -> Value:
        """a = σ(w·x + b) for one example x (nin numbers/Values)."""
        xs = as_inputs(x, len(self.w), "Neuron(x)")
        return self.activation(dot(self.w, xs, self.b))

    def extra_repr(self) -> str:
        return f"{len(self.w)}"


class Layer(Module):
    """A fully connected layer: a_j = σ(z_j), z_j = w_j·x + b_j for j = 1..nout.

    One `dot` node per neuron. `activation` (a name, an activation module, or a callable Value →
    Value) is applied to the list of z's; ``"prelu"`` gives one learned α per neuron. Parameters
    come per neuron, weights then bias (micrograd); state dict ``weight`` (nout, nin), ``bias``
    (nout,). Returns a Value when nout == 1, else a list. See the module docstring for `init`.
    ∂z_j/∂w_ji = x_i, ∂z_j/∂b_j = 1, ∂z_j/∂x_i = w_ji (the `dot` node).
    Lecture 0, step 1 (define a set of functions).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Any = "relu",
        *,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        label: str = "",
    ) -> None:
        from .activations import get_activation

        super().__init__()
        self.nin = check_count(nin, f"{type(self).__name__}(nin)")
        self.nout = check_count(nout, f"{type(self).__name__}(nout)")
        label = check_label(label, type(self).__name__)
        draw = weight_sampler(init, self.nin, self.nout, resolve_rng(rng, seed, type(self).__name__))
        self.weight = [
            [Value.parameter(draw(), f"{label}w{j}.{i}") for i in range(self.nin)] for j in range(self.nout)
        ]
        self.bias = [Value.parameter(0.0, f"{label}b{j}") for j in range(self.nout)]
        self.activation = get_activation(activation, self.nout)

    def named_children(self) -> list[tuple[str, Module]]:
        """Only the activation σ (the weights are parameters, not sub-modules)."""
        return [("activation", self.activation)]

    def _param_tree(self) -> dict[str, Any]:
        return {"weight": self.weight, "bias": self.bias}

    def _own_named_parameters(self) -> list[tuple[str, Value]]:
        out: list[tuple[str, Value]] = []
        for j, (w, b) in enumerate(zip(self.weight, self.bias)):
            out.extend((f"weight[{j}][{i}]", wi) for i, wi in enumerate(w))
            out.append((f"bias[{j}]", b))
        return out

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


# ---------------------------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------------------------


class MLPBase(ModuleBase[Any]):
    """What both backends' `MLP` share: checking the sizes, one activation per hidden layer, dropouts.

    y = f_L(…f_2(f_1(x))); hidden layers use `activation`, the last `output_activation`.
    """

    def _layer_specs(self, nin: int, nouts: Sequence[int], activation: Any) -> tuple[list[int], list[Any]]:
        """([nin, n_1, …, n_L], one activation spec per hidden layer), after checking them."""
        nin = check_count(nin, "MLP(nin)")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP(nouts): got {nouts!r:.60}; expected a non-empty list of layer sizes.")
        sizes = [nin] + [check_count(n, f"MLP(nouts[{i}])") for i, n in enumerate(nouts)]
        hidden = len(sizes) - 2
        if isinstance(activation, list):
            if len(activation) != hidden:
                raise ValueError(
                    f"MLP(activation=[...]): got {len(activation)} activations; expected {hidden} "
                    "(one per hidden layer)."
                )
            return sizes, activation
        if isinstance(activation, self._backend) and activation.parameters() and hidden > 1:
            raise ValueError(
                f"MLP(activation=...): the module {activation!r} has parameters and cannot be shared by "
                f"{hidden} layers; pass a name, or a list with one module per hidden layer."
            )
        return sizes, [activation] * hidden

    def _add_dropouts(
        self, dropout_type: type, dropout: Any, input_dropout: Any, scaling: Any, resample: Any, source: Any
    ) -> None:
        """Set `input_dropout` (or None) and `dropouts` (one per hidden layer, or none when p = 0)."""
        from .dropout import check_dropout_args

        hidden = len(self.layers) - 1  # type: ignore[attr-defined]
        p_in = check_dropout_args(input_dropout, scaling, resample, "MLP(input_dropout)")
        p_hid = check_dropout_args(dropout, scaling, resample, "MLP(dropout)")
        opts: dict[str, Any] = {"scaling": scaling, "resample": resample, "rng": source}
        self.input_dropout = dropout_type(p_in, **opts) if p_in > 0.0 else None
        self.dropouts = [dropout_type(p_hid, **opts) for _ in range(hidden)] if p_hid > 0.0 else []


class MLP(MLPBase, Module):
    """A multilayer perceptron: hidden `Layer`s with `activation`, the last one `output_activation`.

    ``MLP(2, [16, 16, 1])`` is micrograd's model (ReLU hidden layers, linear output). `activation`
    is one spec for every hidden layer or a list with one per hidden layer (a PReLU module cannot
    be shared by two layers). Optional dropout (lecture B3): `input_dropout` on the inputs and
    `dropout` after every hidden layer, with `dropout_scaling`/`dropout_resample` as in `Dropout`;
    p = 0 adds no module. State dict: ``layers.k.weight``, ``layers.k.bias`` (and
    ``layers.k.activation.alpha`` with PReLU).
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
        from .dropout import Dropout

        super().__init__()
        sizes, acts = self._layer_specs(nin, nouts, activation)
        hidden = len(acts)
        source = resolve_rng(rng, seed, "MLP")
        self.layers: list[Layer] = []
        for k in range(hidden + 1):
            act = acts[k] if k < hidden else output_activation
            self.layers.append(Layer(sizes[k], sizes[k + 1], act, init=init, rng=source, label=f"L{k}."))
        self._add_dropouts(Dropout, dropout, input_dropout, dropout_scaling, dropout_resample, source)

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
