"""`Module`, the base class of every layer of the scalar backend, and how inputs become Values.

API contract (the NumPy backend's `micrograd_tips.tensor.module.Module` mirrors it):
``forward(x)`` (``__call__`` calls it), ``forward_batch(X)``, ``parameters()``,
``named_parameters()``, ``zero_grad()``, ``train(mode=True)``, ``eval()``, ``training``,
``state_dict()``, ``load_state_dict(state)``, ``children()``, ``named_children()``, ``modules()``,
``named_modules()``; and, as class attributes, the backend's ``losses`` module and its ``no_grad``
context (`contextlib.nullcontext`: the scalar engine always builds the graph), so generic code
(`training.fit`, regularizers, early stopping) asks the model instead of guessing its backend.

State dicts are PyTorch-like: name → nested lists of floats (see `micrograd_tips.nn`).
Lecture section 0 (the recipe): step 1, "define a set of functions" — the network.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from . import losses as _losses
from ._checks import as_real, fail
from ._module_base import ModuleBase
from .engine import Value

__all__ = ["Module", "as_inputs", "as_values"]


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
        fail(who, x, "a Value, a number or a list of them")
    out = []
    for i, xi in enumerate(x):
        if isinstance(xi, Value):
            out.append(xi)
        elif isinstance(xi, numbers.Real) and not isinstance(xi, bool):
            out.append(Value(float(xi)))
        else:
            fail(f"{who}: element [{i}]", xi, "a number or a Value")
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
        flat.append(as_real(f"load_state_dict: {key!r}{where}", node))
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

    losses = _losses  # this backend's losses (generic code calls type(model).losses.cross_entropy)
    no_grad = staticmethod(contextlib.nullcontext)  # the scalar engine has no grad mode

    def forward_batch(self, X: Any) -> list[Any]:
        """[forward(x) for x in X] as one mini-batch: Dropout(resample="batch") draws one new mask.

        `X` is a list of examples or a 2-D array (rows are examples).
        """
        if isinstance(X, (str, bytes, Value)) or not hasattr(X, "__iter__"):
            fail("forward_batch(X)", X, "a list of examples")
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
