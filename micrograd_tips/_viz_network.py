"""What `viz.draw_network` draws: a network read column by column, with the lecture's views.

A column is the inputs (index 0, the lecture's a⁰ = x) or the outputs of one weighted layer
(index l = 1, 2, …, the lecture's aˡ). Given one example x, one forward through the model's own
modules shows the lecture's pictures:

- A2, ReLU: a neuron with z = w·x + b ≤ 0 outputs 0 and passes no gradient — it is switched off,
  and what is left is a thinner linear network.
- A3, Maxout: unit j outputs a_j = max_k z_jk; the winning piece k* = argmax_k z_jk (the lowest
  index on a tie) is the only one trained for this x. With the zero piece, piece 0 winning is
  ReLU's switched-off neuron.
- B3, dropout: the neurons a mask drops (m_j = 0) are crossed out: one thinned network.
- A1, vanishing gradient: after ``backward()``, each neuron's mean |∂L/∂w| over its incoming weights.

Backend-neutral: both backends' `MLP`, `Layer`/`Linear`, `Maxout`, `Dropout`, activation modules
and `Sequential` are read through their public attributes (``layers``, ``dropouts``,
``input_dropout``, ``weight``, ``bias``, ``nin``, ``activation.name``, ``zero_piece``,
``fixed_mask``, ``last_mask``, ``training``); every number is read into NumPy float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

try:  # NumPy reads the weights of either backend; the core package works without it
    import numpy as np
except ImportError:  # pragma: no cover - exercised by tests/test_packaging.py
    np = None  # type: ignore[assignment]

from ._checks import fail
from ._module_base import SequentialBase

__all__ = ["Column", "read_network"]

_MODELS = (
    "an MLP, a Layer/Linear, a Maxout, a Sequential of them (with Dropout/activation modules), or a "
    "list of such modules in forward order — of either backend"
)


@dataclass
class Column:
    """One column of neurons: the inputs (index 0) or the outputs of weighted layer `index`.

    `weight` is (size, nin) for a dense layer and (size, k, nin) for Maxout's k learned pieces;
    `z` is (size,) — or (size, pieces) for Maxout, the zero piece first — and `a` the outputs
    after any dropout, both None without an example. `off` holds the neurons the activation
    switched off (ReLU z ≤ 0, Maxout's zero piece winning), `dropped` those a dropout mask drops.
    """

    index: int
    kind: str  # "input", "dense" or "maxout"
    activation: str
    size: int
    weight: np.ndarray | None = None
    weight_grad: np.ndarray | None = None
    zero_piece: bool = False
    dropout: float | None = None  # p of the Dropout applied to these outputs
    z: np.ndarray | None = None
    a: np.ndarray | None = None
    winners: np.ndarray | None = None
    off: set[int] = field(default_factory=set)
    dropped: set[int] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------
# The modules in forward order
# ---------------------------------------------------------------------------------------------


def _is_maxout(m: Any) -> bool:
    return hasattr(m, "zero_piece") and hasattr(m, "weight")


def _is_dense(m: Any) -> bool:
    return hasattr(m, "weight") and hasattr(m, "activation") and hasattr(m, "nout")


def _is_dropout(m: Any) -> bool:
    return hasattr(m, "fixed_mask") and hasattr(m, "p")


def _is_elementwise(m: Any) -> bool:
    return hasattr(m, "name") and callable(m) and not hasattr(m, "weight")


def stages(model: Any) -> list[Any]:
    """The model's modules in forward order: dense layers, Maxouts, Dropouts, activations.

    An MLP runs input_dropout, then layer k followed by dropout k (lecture B3); a Sequential and
    a list run their members in order.
    """
    if isinstance(model, (list, tuple)):
        return [s for m in model for s in stages(m)]
    if hasattr(model, "layers") and hasattr(model, "dropouts") and hasattr(model, "input_dropout"):
        out = [] if model.input_dropout is None else [model.input_dropout]
        for k, layer in enumerate(model.layers):
            out.append(layer)
            if k < len(model.dropouts):
                out.append(model.dropouts[k])
        return out
    if isinstance(model, SequentialBase):
        return [s for m in model for s in stages(m)]
    if _is_maxout(model) or _is_dense(model) or _is_dropout(model) or _is_elementwise(model):
        return [model]
    fail("draw_network(model)", model, _MODELS)


# ---------------------------------------------------------------------------------------------
# Reading numbers from either backend
# ---------------------------------------------------------------------------------------------


def numbers(tree: Any, grad: bool = False) -> np.ndarray:
    """A parameter's data (or grad) as float64: a Tensor's array, or a nested list of Values.

    A grad of None (a Tensor before its first backward) reads as zeros.
    """
    if isinstance(tree, (list, tuple)):
        return np.array([numbers(t, grad) for t in tree], dtype=np.float64)
    value = tree.grad if grad else tree.data
    if value is None:
        return np.zeros(np.shape(tree.data))
    return np.asarray(value, dtype=np.float64)


def outputs(out: Any) -> np.ndarray:
    """A module's output for one example as a flat float64 array (a Value, a list, or a Tensor)."""
    if isinstance(out, (list, tuple)):
        return np.array([v.data for v in out], dtype=np.float64)
    return np.asarray(out.data, dtype=np.float64).reshape(-1)


# ---------------------------------------------------------------------------------------------
# One forward, column by column
# ---------------------------------------------------------------------------------------------


def _example(x: Any, nin: int) -> np.ndarray:
    """One example as a float64 vector of nin numbers (a list, an (nin,) or (1, nin) array)."""
    try:
        a = np.asarray(x.data if hasattr(x, "_prev") else x, dtype=np.float64)
    except (TypeError, ValueError):
        fail("draw_network(x)", x, f"one example: {nin} real numbers")
    if a.size != nin or a.ndim > 2 or (a.ndim == 2 and a.shape[0] != 1):
        fail("draw_network(x)", x, f"one example: {nin} real numbers", ValueError)
    return a.reshape(-1)


def _mask(mask: Any, width: int, name: str) -> np.ndarray:
    """A dropout mask as a bool vector of `width` (True = keep)."""
    arr = np.asarray(mask)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.shape != (width,) or arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
        fail(name, mask, f"a mask of {width} zeros and ones (1 = keep)", ValueError)
    return arr.astype(bool)


def _default_mask(drop: Any, width: int, name: str) -> np.ndarray | None:
    """The mask of the Dropout's last training forward, when it is in training mode."""
    if not drop.training or drop.last_mask is None:
        return None
    last = np.asarray(drop.last_mask)
    if last.ndim == 2 and last.shape[0] != 1:
        fail(name, drop, "one mask; this Dropout drew one per example (pass masks=[...])", ValueError)
    return _mask(last, width, name)


def _run_dropout(drop: Any, a: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The Dropout module's own output for `a`: training with `mask` fixed, or eval without one."""
    was = drop.training
    try:
        if mask is None:
            drop.train(False)
            return outputs(drop(a.tolist()))
        drop.train(True)
        with drop.fixed_mask([int(m) for m in mask]):
            return outputs(drop(a.tolist()))
    finally:
        drop.train(was)


def _weighted_column(module: Any, index: int) -> Column:
    if _is_maxout(module):
        return Column(
            index,
            "maxout",
            "maxout",
            int(module.nout),
            weight=numbers(module.weight),
            weight_grad=numbers(module.weight, grad=True),
            zero_piece=bool(module.zero_piece),
        )
    return Column(
        index,
        "dense",
        str(module.activation.name),
        int(module.nout),
        weight=numbers(module.weight),
        weight_grad=numbers(module.weight, grad=True),
    )


def _forward_weighted(col: Column, module: Any, a: np.ndarray) -> np.ndarray:
    """z and the switched-off neurons of one weighted layer; returns the layer's own output."""
    assert col.weight is not None
    bias = numbers(module.bias)
    if col.kind == "maxout":
        z = col.weight @ a + bias  # z_jk = w_jk·x + b_jk, shape (nout, k)
        if col.zero_piece:
            z = np.concatenate([np.zeros((col.size, 1)), z], axis=1)  # the zero piece is piece 0
        col.winners = np.argmax(z, axis=1)  # k* = argmax_k z_jk, the lowest index on a tie
        col.off = {j for j in range(col.size) if col.zero_piece and col.winners[j] == 0}
    else:
        z = col.weight @ a + bias  # z_j = w_j·x + b_j
        col.off = {j for j in range(col.size) if col.activation == "relu" and z[j] <= 0.0}
    col.z = z
    return outputs(module(a.tolist()))


def read_network(model: Any, x: Any = None, masks: Sequence[Any] | None = None) -> list[Column]:
    """The columns of `model` (inputs first), with z, a, winners and switched-off sets given x.

    `masks`: one entry per Dropout module in forward order — a 0/1 mask (1 = keep) or None
    (nothing dropped); by default each Dropout in training mode shows the mask of its last
    training forward. Without x only the structure, the masks and the gradients are read.
    """
    if np is None:
        raise ImportError('draw_network needs NumPy: pip install "micrograd-tips[numpy]"')
    mods = stages(model)
    weighted = [m for m in mods if _is_maxout(m) or _is_dense(m)]
    if not weighted:
        fail("draw_network(model)", model, _MODELS + " with at least one weighted layer", ValueError)
    drops = [m for m in mods if _is_dropout(m)]
    if masks is not None:
        if isinstance(masks, (str, bytes)) or not isinstance(masks, Sequence):
            fail("draw_network(masks)", masks, "a list with one mask (or None) per Dropout module")
        if len(masks) != len(drops):
            fail("draw_network(masks)", masks, f"{len(drops)} masks (one per Dropout module)", ValueError)
    nin = int(weighted[0].nin)
    columns = [Column(0, "input", "input", nin)]
    a = None if x is None else _example(x, nin)
    if a is not None:
        columns[0].z = columns[0].a = a
    drop_index = 0
    for module in mods:
        col = columns[-1]
        if _is_dropout(module):
            name = f"draw_network(masks[{drop_index}])"
            mask = _default_mask(module, col.size, name) if masks is None else masks[drop_index]
            mask = None if mask is None else _mask(mask, col.size, name)
            drop_index += 1
            col.dropout = float(module.p)
            col.dropped = set() if mask is None else {j for j in range(col.size) if not mask[j]}
            if a is not None:
                a = col.a = _run_dropout(module, a, mask)
        elif _is_elementwise(module):
            col.activation = str(module.name)
            if a is not None:
                if col.activation == "relu":  # the activation's input is this column's output
                    col.off |= {j for j in range(col.size) if a[j] <= 0.0}
                a = col.a = outputs(module(a.tolist()))
        else:
            col = _weighted_column(module, len(columns))
            if col.weight is not None and col.weight.shape[-1] != columns[-1].size:
                fail("draw_network(model)", module, f"a layer with {columns[-1].size} inputs", ValueError)
            columns.append(col)
            if a is not None:
                a = col.a = _forward_weighted(col, module, a)
    return columns
