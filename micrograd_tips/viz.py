"""Pictures of graphs and networks with Graphviz: `draw_dot`, `draw_network`, and rendering.

`draw_dot(root)` walks the computation graph behind `root` (scalar `Value`s or NumPy-backend
Tensors) and returns a `DotGraph` — a `graphviz.Digraph` — with one record node per value (label,
data, grad), one small node per op and edges input → op → output. Nodes are coloured by their
role (learnable parameter, input, constant, output) and a legend explains the colours. ``dim=``
greys out a set of nodes: the losing pieces of a Maxout group (lecture A3) or the dropped neurons
of a thinned network (lecture B3). A graph bigger than ``max_nodes`` (one real training step has
thousands of nodes) is drawn collapsed: one box per neuron, or per layer, saying how many nodes
it stands for.

`draw_network(model, x)` draws the network the lecture draws: one circle per neuron, in layers,
with ReLU's switched-off neurons (A2), Maxout's winning pieces (A3), dropout's dropped neurons
(B3) and, after ``backward()``, the gradient magnitude layer by layer (A1, vanishing gradient).

The DOT text is deterministic: nodes are numbered in depth-first order from the root (operands
in order), so the same graph gives byte-identical `.source` in every process.

`render(graph, "out.svg")` writes SVG/PNG with the system ``dot`` when it is on PATH, otherwise
with ``graphviz-pure`` (``pip install "micrograd-tips[viz]"``), a dot-compatible renderer with the
same flags. A `DotGraph`'s own ``.render()``, ``.view()``, ``.pipe()`` and notebook display use
the same fallback.
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import graphviz

from ._checks import check_bool, check_choice, check_positive, check_positive_int, check_str, fail
from ._viz_collapse import Grouping, group_label, is_param
from ._viz_network import Column, read_network

__all__ = [
    "COLLAPSE_MODES",
    "DotGraph",
    "NetworkGraph",
    "ROLE_COLORS",
    "draw_dot",
    "draw_network",
    "find_renderer",
    "gradient_color",
    "render",
    "save_network_figure",
    "to_svg",
]

# Fill colours by role; the legend is built from this table.
ROLE_COLORS: dict[str, str] = {
    "parameter": "#ffd59e",  # learnable: weights, biases, PReLU's α (_role == "param")
    "input": "#cde6ff",  # data you fed in (a leaf with _role == "")
    "constant": "#fff6bf",  # a number an operator wrapped (_role == "const")
    "output": "#b9f0b9",  # the root
}
_INTERMEDIATE_COLOR = "#ffffff"
_OP_COLOR = "#eeeeee"
_DIM = {"color": "#c8c8c8", "fontcolor": "#b0b0b0", "fillcolor": "#f8f8f8", "style": "filled,dashed"}
_DIM_EDGE = {"color": "#c8c8c8", "style": "dashed"}

_RANKDIRS = ("LR", "RL", "TB", "BT")
COLLAPSE_MODES = ("auto", "neuron", "layer", "off")
_INSTALL_HINT = (
    'no Graphviz renderer found: pip install "micrograd-tips[viz]" (provides the graphviz-pure '
    "command) or install Graphviz (the dot command, https://graphviz.org/download/)"
)


# ---------------------------------------------------------------------------------------------
# Reading a node (duck-typed: Value or Tensor)
# ---------------------------------------------------------------------------------------------


def _check_node(obj: object, what: str) -> None:
    if not (hasattr(obj, "data") and hasattr(obj, "_prev") and hasattr(obj, "_op")):
        fail(what, obj, "a graph node (a Value or Tensor with .data, ._prev, ._op and ._role)")


def _inputs(node: Any) -> tuple[Any, ...] | list[Any]:
    prev = node._prev
    if not isinstance(prev, (tuple, list)):
        fail(
            "draw_dot: a node's _prev",
            prev,
            "a tuple (or list) of input nodes in operand order, so that the drawing is deterministic",
        )
    return prev


def _fmt(x: Any) -> str:
    """A number in compact `.4g` form: 0.1235, 1.235e+05, nan, inf."""
    return format(float(x), ".4g")


def _summary(arr: Any) -> str:
    """Up to 4 values listed, else min / mean / max (an array of any shape)."""
    size = int(arr.size)
    if size == 0:
        return "empty"
    if size <= 4:
        return "[" + ", ".join(_fmt(v) for v in arr.reshape(-1).tolist()) + "]"
    return f"min {_fmt(arr.min())}  mean {_fmt(arr.mean())}  max {_fmt(arr.max())}"


def _describe(value: Any, name: str) -> str:
    """The text of a data/grad field: a number, an array summary, or 'None'."""
    if value is None:
        return f"{name} None"
    if hasattr(value, "shape"):
        return f"{name} {_summary(value)}"
    if isinstance(value, numbers.Real):
        return f"{name} {_fmt(value)}"
    fail(f"draw_dot: a node's {name}", value, "a real number, an array with .shape, or None")


_RECORD_SPECIAL = str.maketrans(
    {"\\": "\\\\", "{": "\\{", "}": "\\}", "|": "\\|", "<": "\\<", ">": "\\>", '"': '\\"', "\n": "\\n"}
)


def _escape(text: str) -> str:
    """Escape the characters that a Graphviz record label treats specially: \\ { } | < > " newline."""
    return text.translate(_RECORD_SPECIAL)


_TEXT_SPECIAL = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})


def _escape_text(text: str) -> str:
    """Escape a plain (non-record) label: backslash, double quote, newline."""
    return text.translate(_TEXT_SPECIAL)


def _label_of(node: Any) -> str:
    label = node.label
    if label is None:
        return ""
    return check_str("draw_dot: a node's label", label)


def _record(node: Any, show_grad: bool) -> str:
    fields = []
    label = _label_of(node)
    if label:
        fields.append(label)
    data = node.data
    if hasattr(data, "shape"):
        fields.append(f"{tuple(data.shape)} {data.dtype}")
    fields.append(_describe(data, "data"))
    if show_grad:
        fields.append(_describe(getattr(node, "grad", None), "grad"))
    return "{ " + " | ".join(_escape(f) for f in fields) + " }"


# ---------------------------------------------------------------------------------------------
# Traversal and roles
# ---------------------------------------------------------------------------------------------


def _numbered(root: Any) -> list[Any]:
    """Every node reachable from root, root first, in iterative depth-first pre-order."""
    order: list[Any] = []
    seen: set[int] = set()  # id() only tests identity here; it never names a node
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        _check_node(node, "draw_dot: a node of the graph")
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed(_inputs(node)))
    return order


def _node_ids(nodes: Iterable[Any] | None, what: str) -> set[int]:
    """The identities of the given nodes (a Module's parameters() if it has one)."""
    if nodes is None:
        return set()
    if hasattr(nodes, "parameters") and callable(nodes.parameters):
        nodes = nodes.parameters()
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Iterable) or hasattr(nodes, "_prev"):
        fail(f"draw_dot({what}=...)", nodes, "an iterable of graph nodes (Values/Tensors) or a Module")
    nodes = list(nodes)
    for node in nodes:
        _check_node(node, f"draw_dot({what}=...) element")
    return {id(node) for node in nodes}


def _role(node: Any, is_root: bool, param_ids: set[int]) -> str:
    """output (the root), parameter, input, constant (leaves, by `_role`), or intermediate."""
    if is_root:
        return "output"
    if is_param(node, param_ids):
        return "parameter"
    if node._prev:
        return "intermediate"
    return "constant" if node._role == "const" else "input"


# ---------------------------------------------------------------------------------------------
# The collapsed view of a big graph: one box per neuron, or per layer (grouping in _viz_collapse)
# ---------------------------------------------------------------------------------------------


def _draw_collapsed(
    graph: DotGraph, nodes: list[Any], param_ids: set[int], mode: str, max_nodes: int, show_grad: bool
) -> str:
    """Draw one box per group; return the view used ("neuron" or "layer")."""
    g = Grouping(nodes, param_ids)
    views = ["neuron", "layer"] if mode == "auto" else [mode]
    for view in views:
        keys = [g.key(n, view == "neuron") for n in nodes]
        distinct = list(dict.fromkeys(keys))  # first appearance from the root: deterministic
        if len(distinct) <= max_nodes or view == views[-1]:
            break
    if mode == "auto" and len(distinct) > max_nodes:
        fail(
            "draw_dot(max_nodes=...)",
            max_nodes,
            f"at least {len(distinct)}: even one box per layer needs {len(distinct)} boxes "
            f"for this graph of {len(nodes)} value nodes",
            ValueError,
        )
    members: dict[tuple[Any, ...], list[Any]] = {k: [] for k in distinct}
    for node, key in zip(nodes, keys):
        members[key].append(node)
    index_in_layer: dict[tuple[Any, ...], int] = {}
    per_layer: Counter[int] = Counter()
    for key in sorted((k for k in distinct if k[0] == "neuron"), key=lambda k: k[1]):
        layer = g.layer_of(key)
        index_in_layer[key] = per_layer[layer]
        per_layer[layer] += 1
    name = {key: f"g{i}" for i, key in enumerate(distinct)}
    for key in distinct:
        text = group_label(key, members[key], view, index_in_layer, g)
        if key[0] == "output":
            text += "\n" + _describe(nodes[0].data, "data")
            if show_grad:
                text += "\n" + _describe(getattr(nodes[0], "grad", None), "grad")
        fill = {"inputs": ROLE_COLORS["input"], "output": ROLE_COLORS["output"]}.get(
            key[0], _INTERMEDIATE_COLOR
        )
        graph.node(
            name[key],
            graphviz.nohtml(_escape_text(text)),
            shape="box",
            style="filled,rounded",
            fillcolor=fill,
        )
    edges: Counter[tuple[str, str]] = Counter()
    key_of = {id(n): k for n, k in zip(nodes, keys)}
    for node in nodes:
        for child in node._prev:
            tail, head = key_of[id(child)], key_of[id(node)]
            if tail != head:
                edges[(name[tail], name[head])] += 1
    labelled = len(edges) <= 40  # beyond that, edge labels would crowd the picture out
    for (a, b), k in sorted(edges.items(), key=lambda e: (int(e[0][0][1:]), int(e[0][1][1:]))):
        text = f"×{k}" if k > 1 else ""
        graph.edge(a, b, label=text if labelled else "", tooltip=text, fontsize="9", arrowsize="0.5")
    return view


# ---------------------------------------------------------------------------------------------
# draw_dot
# ---------------------------------------------------------------------------------------------


def draw_dot(
    root: Any,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    params: Iterable[Any] | None = None,
    dim: Iterable[Any] | None = None,
    max_nodes: int = 500,
    collapse: str = "auto",
    title: str | None = None,
    legend: bool = True,
) -> DotGraph:
    """Draw the computation graph that produced `root` (a `Value` or a Tensor) as a Graphviz digraph.

    Structure: one record node per value — ``{ label | data | grad }``; a Tensor node also shows
    ``shape dtype`` and summarises data and grad (up to 4 values listed, else min / mean / max;
    a grad of None shows "grad None"). One ellipse per op (`_op`) and the edges
    input → op → output; leaves have no op node. The graph is what backpropagation walks:
    ∂L/∂x = Σ over x's consumers of (local derivative × the consumer's grad) (lecture 0: θ ← θ − η∇L).

    Colours by role, with a legend: learnable parameter (a leaf with ``_role == "param"`` or
    listed in `params`), input (a leaf with ``_role == ""``), constant (``_role == "const"``),
    output (the root); intermediate values are white.

    Big graphs: above `max_nodes` value nodes (``collapse="auto"``) the graph is drawn collapsed —
    one box per neuron (all the nodes computing one neuron, on every example, with its
    parameters), or one per layer if that is still too many — each box saying how many nodes it
    stands for and which ops; edges say how many edges they stand for. The caption says what was
    collapsed, and ``graph.collapsed`` is "neuron" or "layer" ("" for the full view).

    Args:
        root: the output node.
        format: the output format used by `render`/`.render()` (e.g. "svg", "png").
        rankdir: layout direction, one of "LR", "RL", "TB", "BT".
        show_grad: False hides the grad fields (e.g. before `backward()`).
        params: extra nodes to colour as parameters — an iterable of nodes or a Module.
        dim: nodes to grey out (dashed, pale), together with their op node and their edges: the
            losing pieces of a Maxout group (A3) or the dropped neurons of a thinned network (B3).
            Nodes not in the graph are ignored.
        max_nodes: the most value nodes drawn one by one.
        collapse: "auto" (collapse only above max_nodes), "neuron" or "layer" (always collapse),
            "off" (never: a graph above max_nodes raises ValueError saying its size).
        title: a caption drawn above the graph.
        legend: False leaves out the legend.

    Node ids are ``n0, n1, …`` in depth-first order from the root (operand order); op nodes are
    ``n<k>_op``; collapsed boxes are ``g0, g1, …`` in the order their first node is met.
    The DOT source is therefore the same in every run and every process.
    """
    _check_node(root, "draw_dot(root)")
    _check_format(format, "draw_dot(format=...)")
    check_choice("draw_dot(rankdir=...)", rankdir, _RANKDIRS)
    show_grad = check_bool("draw_dot(show_grad=...)", show_grad)
    legend = check_bool("draw_dot(legend=...)", legend)
    max_nodes = check_positive_int("draw_dot(max_nodes=...)", max_nodes)
    check_choice("draw_dot(collapse=...)", collapse, COLLAPSE_MODES)
    title = None if title is None else check_str("draw_dot(title=...)", title)
    param_ids = _node_ids(params, "params")
    dim_ids = _node_ids(dim, "dim")
    nodes = _numbered(root)
    too_big = len(nodes) > max_nodes
    if too_big and collapse == "off":
        fail(
            "draw_dot(max_nodes=...)",
            max_nodes,
            f"at least {len(nodes)}: the graph has {len(nodes)} value nodes. Pass max_nodes={len(nodes)} "
            "(or larger) to draw every node, collapse='auto' to draw one box per neuron or layer, or "
            "draw a smaller sub-graph",
            ValueError,
        )

    graph = DotGraph(format=format, graph_attr={"rankdir": rankdir})
    graph.value_nodes = len(nodes)
    graph.attr("node", fontsize="11")
    if collapse in ("neuron", "layer") or (too_big and collapse == "auto"):
        view = _draw_collapsed(graph, nodes, param_ids, collapse, max_nodes, show_grad)
        graph.collapsed = view
        note = (
            f"collapsed view: {len(nodes)} value nodes drawn as one box per {view}; "
            f"draw_dot(..., collapse='off', max_nodes={len(nodes)}) draws every node"
        )
        caption = f"{title}\n{note}" if title else note
        graph.attr(label=graphviz.nohtml(_escape_text(caption)), labelloc="t", fontsize="14")
        return graph

    if title:
        graph.attr(label=graphviz.nohtml(_escape_text(title)), labelloc="t", fontsize="16")
    number = {id(node): i for i, node in enumerate(nodes)}
    for i, node in enumerate(nodes):
        name = f"n{i}"
        dimmed = id(node) in dim_ids
        color = ROLE_COLORS.get(_role(node, i == 0, param_ids), _INTERMEDIATE_COLOR)
        style = _DIM if dimmed else {"style": "filled", "fillcolor": color}
        graph.node(name, graphviz.nohtml(_record(node, show_grad)), shape="record", **style)
        prev = _inputs(node)
        if not prev:
            continue
        op_style = _DIM if dimmed else {"style": "filled", "fillcolor": _OP_COLOR}
        op_name = f"{name}_op"
        graph.node(op_name, graphviz.nohtml(_escape_text(str(node._op))), shape="ellipse", **op_style)
        for child in prev:
            child_dimmed = dimmed or id(child) in dim_ids
            graph.edge(f"n{number[id(child)]}", op_name, **(_DIM_EDGE if child_dimmed else {}))
        graph.edge(op_name, name, **(_DIM_EDGE if dimmed else {}))
    if legend:
        _add_legend(graph, show_dimmed=bool(dim_ids & number.keys()))
    return graph


def _add_legend(graph: graphviz.Digraph, show_dimmed: bool) -> None:
    with graph.subgraph(name="cluster_legend") as box:
        box.attr(label="legend", fontsize="11", style="rounded", color="#999999")
        entries = [(role, {"style": "filled", "fillcolor": c}) for role, c in ROLE_COLORS.items()]
        if show_dimmed:
            entries.append(("dimmed", _DIM))
        for role, style in entries:
            box.node(f"legend_{role}", role, shape="box", fontsize="10", **style)


# ---------------------------------------------------------------------------------------------
# draw_network: the lecture's pictures of a network
# ---------------------------------------------------------------------------------------------

# A pale-yellow → dark-red ramp (ColorBrewer YlOrRd): every channel falls from one stop to the
# next, so darker always means a larger gradient.
_RAMP = ((255, 255, 204), (254, 178, 76), (240, 59, 32), (128, 0, 30))
_NO_GRAD = "#d9d9d9"
_EDGE = "#8c8c8c"
_PALE = "#d9d9d9"
_OFF_STYLE = {"style": "filled,dashed", "fillcolor": "#eeeeee", "color": "#aaaaaa", "fontcolor": "#888888"}
_DROP_STYLE = {"style": "filled,dashed", "fillcolor": "#f6f6f6", "color": "#cc3333", "fontcolor": "#cc3333"}
_WIN_STYLE = {"style": "filled,bold", "fillcolor": "#d8f5d8", "color": "#1a7f37", "penwidth": "2"}
_LOSE_STYLE = {"style": "filled,dashed", "fillcolor": "#f8f8f8", "color": "#c8c8c8", "fontcolor": "#b0b0b0"}


def gradient_color(t: float) -> str:
    """The fill for a gradient at position t ∈ [0, 1] of the log scale (0 smallest, 1 largest)."""
    t = min(max(float(t), 0.0), 1.0)
    pos = t * (len(_RAMP) - 1)
    i = min(int(pos), len(_RAMP) - 2)
    f = pos - i
    r, g, b = (round(lo + (hi - lo) * f) for lo, hi in zip(_RAMP[i], _RAMP[i + 1]))
    return f"#{r:02x}{g:02x}{b:02x}"


class _LogScale:
    """log10 |g| mapped onto [0, 1] between the smallest and largest positive magnitude drawn."""

    def __init__(self, magnitudes: Iterable[float], fixed: tuple[float, float] | None = None) -> None:
        positive = [m for m in magnitudes if m > 0.0 and math.isfinite(m)]
        low, high = fixed if fixed is not None else (min(positive, default=1.0), max(positive, default=1.0))
        self.lo, self.hi = math.log10(low), math.log10(high)

    def t(self, g: float) -> float:
        if self.hi == self.lo:
            return 1.0
        return min(max((math.log10(g) - self.lo) / (self.hi - self.lo), 0.0), 1.0)

    def color(self, g: float) -> str:
        return gradient_color(self.t(g)) if g > 0.0 else _NO_GRAD

    def ticks(self) -> list[float]:
        """One legend entry per power of ten in range (at most 6), plus both ends."""
        first, last = math.ceil(self.lo), math.floor(self.hi)
        step = max(1, math.ceil((last - first + 1) / 6))
        powers = [10.0**e for e in range(first, last + 1, step)]
        ends = [10.0**self.lo, 10.0**self.hi]
        return sorted(set(ends + [p for p in powers if 10.0**self.lo * 3 < p < 10.0**self.hi / 3]))


def _short(v: float) -> str:
    """A neuron's value in at most ~6 characters: 0.53, -1.2, 3.1e-05."""
    if v == 0.0:
        return "0"
    return format(v, ".2f") if 0.01 <= abs(v) < 100 else format(v, ".1e")


def _neuron_grads(col: Column) -> tuple[Any, Any]:
    """(mean |∂L/∂w| per neuron over its incoming weights, |∂L/∂w| per piece and input)."""
    assert col.weight_grad is not None
    g = abs(col.weight_grad)  # (size, nin) or (size, k, nin)
    per_input = g.sum(axis=1) if col.kind == "maxout" else g  # Σ over the pieces of a unit
    return per_input.mean(axis=1), g


def draw_network(
    model: Any,
    x: Any = None,
    *,
    grads: bool = False,
    masks: Sequence[Any] | None = None,
    max_per_layer: int = 12,
    grad_range: tuple[float, float] | None = None,
    title: str | None = None,
    legend: bool = True,
    format: str = "svg",
    rankdir: str = "LR",
) -> NetworkGraph:
    """Draw `model` as the lecture draws networks: one circle per neuron, layer by layer.

    `model`: an MLP, a Layer/Linear, a Maxout or a Sequential of them (with Dropout and activation
    modules), or a list of such modules in forward order — of either backend. Column 0 holds the
    inputs x = a⁰, column l the outputs aˡ of the l-th weighted layer; neurons are (l, j) pairs.

    Given one example `x` (nin numbers), one forward shows each neuron's output and:

    - A2, ReLU: a neuron with z = w·x + b ≤ 0 outputs 0 and passes no gradient: it is drawn
      switched off (grey, dashed, with its edges) — what remains is the thinner linear network.
    - A3, Maxout: each unit's pieces z_jk are drawn as small boxes feeding its max; the winning
      piece k* = argmax_k z_jk (the lowest index on a tie) is green, the others are greyed.
      With the zero piece, piece 0 winning switches the unit off, as ReLU does.
    - B3, dropout: the neurons a dropout mask drops (m_j = 0) are crossed out (red, dashed).
      `masks` gives one mask (0/1, 1 = keep) or None per Dropout module in forward order; by
      default a Dropout in training mode shows the mask of its last training forward.

    With ``grads=True`` (after ``backward()``), A1, the vanishing gradient: each neuron is filled
    by the mean |∂L/∂w| of its incoming weights and each edge coloured and widened by its own
    |∂L/∂w|, on a log scale from the smallest to the largest value drawn (legend: pale = small,
    dark red = large, grey = exactly 0). A deep sigmoid net fades towards the input; ReLU does not.
    ``grad_range=(low, high)`` fixes the ends of the scale, so that two pictures (sigmoid and ReLU)
    share one colour scale; values outside it take the end colours.

    Layers wider than `max_per_layer` show their first `max_per_layer` neurons and a node
    "… k more". The result is a `DotGraph` (`NetworkGraph`) with, for the neurons drawn:
    ``layer_sizes`` (every column's full size), ``inactive`` (the (l, j) drawn switched off:
    ReLU off, Maxout zero piece, dropped), ``dropped``, ``winners`` ((l, j) → winning piece),
    ``values`` ((l, j) → output, given x) and ``grad_magnitude`` ((l, j) → mean |∂L/∂w|).
    """
    grads = check_bool("draw_network(grads=...)", grads)
    legend = check_bool("draw_network(legend=...)", legend)
    max_per_layer = check_positive_int("draw_network(max_per_layer=...)", max_per_layer)
    title = None if title is None else check_str("draw_network(title=...)", title)
    _check_format(format, "draw_network(format=...)")
    check_choice("draw_network(rankdir=...)", rankdir, _RANKDIRS)
    if grad_range is not None:
        grad_range = _check_range(grad_range)
    columns = read_network(model, x, masks)
    shown = [list(range(min(col.size, max_per_layer))) for col in columns]

    graph = NetworkGraph(
        format=format, graph_attr={"rankdir": rankdir, "splines": "line", "ranksep": "1.1", "ordering": "out"}
    )
    graph.attr("node", fontsize="10", fontname="Helvetica")
    graph.attr("edge", arrowhead="none")
    if title:
        graph.attr(label=graphviz.nohtml(_escape_text(title)), labelloc="t", fontsize="16")
    graph.layer_sizes = tuple(col.size for col in columns)
    off = {(col.index, j) for col, js in zip(columns, shown) for j in js if j in col.off or j in col.dropped}
    graph.inactive = frozenset(off)
    graph.dropped = frozenset((c.index, j) for c, js in zip(columns, shown) for j in js if j in c.dropped)
    graph.winners = {
        (c.index, j): int(c.winners[j]) for c, js in zip(columns, shown) if c.winners is not None for j in js
    }
    graph.values = {
        (c.index, j): float(c.a[j]) for c, js in zip(columns, shown) if c.a is not None for j in js
    }
    mags: dict[tuple[int, int], float] = {}
    edge_g: dict[int, Any] = {}
    if grads:
        for col, js in zip(columns[1:], shown[1:]):
            per_neuron, edge_g[col.index] = _neuron_grads(col)
            mags.update({(col.index, j): float(per_neuron[j]) for j in js})
    graph.grad_magnitude = mags
    drawn_edges = [
        float(v)
        for col, js in zip(columns[1:], shown[1:])
        if col.index in edge_g
        for j in js
        for v in edge_g[col.index][j].reshape(-1)
    ]
    scale = _LogScale(list(mags.values()) + drawn_edges, grad_range)

    for col, js in zip(columns, shown):
        _draw_column(graph, col, js, columns, shown, mags, edge_g, scale)
    if legend:
        anchor = f"L{columns[-1].index}_{shown[-1][0]}"
        _network_legend(graph, columns, grads, scale, any(m == 0.0 for m in mags.values()), anchor)
    return graph


def _check_range(pair: object) -> tuple[float, float]:
    """`grad_range`: two numbers 0 < low < high."""
    expected = "a pair (low, high) of real numbers with 0 < low < high"
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        fail("draw_network(grad_range=...)", pair, expected)
    low = check_positive("draw_network(grad_range[0])", pair[0])
    high = check_positive("draw_network(grad_range[1])", pair[1])
    if not low < high:
        fail("draw_network(grad_range=...)", pair, expected, ValueError)
    return low, high


def _neuron_attrs(
    col: Column, j: int, last: bool, mags: dict[tuple[int, int], float], scale: _LogScale
) -> dict[str, str]:
    """The style and label of neuron (l, j): switched off, dropped, gradient-filled or plain."""
    key = (col.index, j)
    lines = [f"x{j + 1}"] if col.kind == "input" else []
    if col.a is not None:
        lines.append(_short(float(col.a[j])))
    if key in mags:
        lines.append(f"g {mags[key]:.1e}" if mags[key] else "g 0")
    text = "\n".join(lines)
    size = "0.9" if key in mags else "0.6"  # one size per picture: circles line up
    attrs = {
        "label": _escape_text(text) or " ",
        "shape": "circle",
        "width": size,
        "fixedsize": "true",
        "style": "filled",
    }
    if j in col.dropped:
        attrs.update(_DROP_STYLE, label=_escape_text(text + "\n×"))
    elif j in col.off:
        attrs.update(_OFF_STYLE)
    elif key in mags:
        fill = scale.color(mags[key])
        attrs.update(
            fillcolor=fill, fontcolor="#ffffff" if mags[key] > 0 and scale.t(mags[key]) > 0.6 else "#000000"
        )
    else:
        attrs["fillcolor"] = (
            ROLE_COLORS["input"] if col.kind == "input" else ROLE_COLORS["output"] if last else "#ffffff"
        )
    return attrs


def _edge_attrs(dimmed: bool, g: float | None, scale: _LogScale) -> dict[str, str]:
    if dimmed:
        return {"color": _PALE, "style": "dashed", "penwidth": "0.6"}
    if g is None:
        return {"color": _EDGE, "penwidth": "0.8"}
    if g <= 0.0:
        return {"color": _NO_GRAD, "penwidth": "0.5"}
    t = scale.t(g)
    return {"color": gradient_color(t), "penwidth": f"{0.5 + 3.0 * t:.2f}"}


def _draw_column(
    graph: graphviz.Digraph,
    col: Column,
    js: list[int],
    columns: list[Column],
    shown: list[list[int]],
    mags: dict[tuple[int, int], float],
    edge_g: dict[int, Any],
    scale: _LogScale,
) -> None:
    """One layer's column: caption, neurons (and Maxout pieces), ellipsis, and the edges into it."""
    l = col.index
    last = l == len(columns) - 1
    caption = "inputs" if col.kind == "input" else f"layer {l}: {col.activation}"
    if col.kind == "maxout":
        k = col.weight.shape[1] + col.zero_piece if col.weight is not None else 0
        caption += f" ({k} pieces{', zero piece' if col.zero_piece else ''})"
    if col.dropout is not None:
        caption += f"\n+ dropout p = {col.dropout:g}"
    prev = columns[l - 1] if l > 0 else None
    prev_js = shown[l - 1] if l > 0 else []
    graph.node(f"L{l}_caption", graphviz.nohtml(_escape_text(caption)), shape="plaintext", fontsize="11")
    for j in js:
        graph.node(f"L{l}_{j}", **_neuron_attrs(col, j, last, mags, scale))
        if col.kind == "maxout":
            _maxout_pieces(graph, col, j)
    hidden = col.size - len(js)
    if hidden:
        n_off = len((col.off | col.dropped) - set(js))
        extra = f"\n({n_off} off)" if n_off and (col.a is not None or col.dropped) else ""
        graph.node(f"L{l}_more", _escape_text(f"… {hidden} more{extra}"), shape="plaintext", fontsize="10")
    _keep_order(graph, [f"L{l}_caption"] + [f"L{l}_{j}" for j in js] + ([f"L{l}_more"] if hidden else []))
    if col.kind == "maxout":
        pieces = col.weight.shape[1] + col.zero_piece if col.weight is not None else 0
        _keep_order(graph, [f"L{l}_{j}_p{k}" for j in js for k in range(pieces)])
    if prev is None:
        return
    gmat = edge_g.get(l)
    for j in js:
        unit_off = j in col.off or j in col.dropped
        for i in prev_js:
            src_off = i in prev.off or i in prev.dropped
            if col.kind == "maxout":
                assert col.weight is not None
                for piece in range(col.weight.shape[1]):
                    k = piece + col.zero_piece  # index among all pieces, the zero piece being 0
                    loses = col.winners is not None and col.winners[j] != k
                    g = None if gmat is None else float(gmat[j, piece, i])
                    attrs = _edge_attrs(src_off or unit_off or loses, g, scale)
                    graph.edge(f"L{l - 1}_{i}", f"L{l}_{j}_p{k}", **attrs)
            else:
                g = None if gmat is None else float(gmat[j, i])
                graph.edge(f"L{l - 1}_{i}", f"L{l}_{j}", **_edge_attrs(src_off or unit_off, g, scale))


def _keep_order(box: Any, names: list[str]) -> None:
    """Same rank, joined by invisible edges: the nodes stay in index order down the column."""
    with box.subgraph() as same:
        same.attr(rank="same")
        for a, b in itertools.pairwise(names):
            same.edge(a, b, style="invis")


def _maxout_pieces(box: Any, col: Column, j: int) -> None:
    """Unit j's pieces z_jk → max: the winner green and bold, the losers greyed (lecture A3)."""
    assert col.weight is not None
    l = col.index
    for k in range(col.weight.shape[1] + col.zero_piece):
        name = f"L{l}_{j}_p{k}"
        text = "0" if (col.zero_piece and k == 0) else f"z{k + 1 - col.zero_piece}"
        if col.z is not None and not (col.zero_piece and k == 0):
            text += f" {_short(float(col.z[j, k]))}"
        style: dict[str, str] = {"style": "filled", "fillcolor": "#ffffff"}
        if col.winners is not None:
            style = dict(_WIN_STYLE if col.winners[j] == k else _LOSE_STYLE)
        box.node(name, graphviz.nohtml(_escape_text(text)), shape="box", fontsize="9", height="0.25", **style)
        if col.winners is None:
            edge = {"color": _EDGE}
        elif col.winners[j] == k:
            edge = {"color": "#1a7f37", "penwidth": "1.5"}
        else:
            edge = {"color": _PALE, "style": "dashed"}
        box.edge(name, f"L{l}_{j}", **edge)


def _network_legend(
    graph: graphviz.Digraph, columns: list[Column], grads: bool, scale: _LogScale, zero: bool, anchor: str
) -> None:
    """The legend box, placed right of the output layer (`anchor` is its first neuron)."""
    entries: list[tuple[str, dict[str, str]]] = []
    has_x = columns[0].a is not None
    if has_x and any(c.off for c in columns if c.kind == "dense"):
        entries.append(("off: z ≤ 0, a = 0", dict(_OFF_STYLE, shape="box")))
    if any(c.dropped for c in columns):
        entries.append(("dropped (mask 0)", dict(_DROP_STYLE, shape="box")))
    if has_x and any(c.kind == "maxout" for c in columns):
        entries.append(("winning piece", dict(_WIN_STYLE, shape="box")))
        entries.append(("losing piece", dict(_LOSE_STYLE, shape="box")))
        if any(c.off for c in columns if c.kind == "maxout"):
            entries.append(("off: zero piece wins", dict(_OFF_STYLE, shape="box")))
    if grads:
        for g in scale.ticks():
            dark = scale.t(g) > 0.6
            entries.append(
                (
                    f"|∂L/∂w| {g:.0e}",
                    {
                        "style": "filled",
                        "fillcolor": scale.color(g),
                        "shape": "box",
                        "fontcolor": "#ffffff" if dark else "#000000",
                    },
                )
            )
        if zero:
            entries.append(("|∂L/∂w| = 0", {"style": "filled", "fillcolor": _NO_GRAD, "shape": "box"}))
    if not entries:
        return
    with graph.subgraph(name="cluster_legend") as box:
        box.attr(
            label="mean |∂L/∂w| per neuron (log scale)" if grads else "legend",
            fontsize="11",
            style="rounded",
            color="#999999",
        )
        for i, (text, style) in enumerate(entries):
            box.node(f"legend_{i}", graphviz.nohtml(_escape_text(text)), fontsize="9", width="0.3", **style)
    for i in range(len(entries)):  # one rank right of the output layer, where there is room
        graph.edge(anchor, f"legend_{i}", style="invis")


def save_network_figure(model: Any, x: Any, path: str | os.PathLike[str], **options: Any) -> Path:
    """`draw_network(model, x, **options)` rendered to `path` (SVG/PNG by suffix); returns the path.

    One line for a demo: ``save_network_figure(model, x, out_dir / "network_relu.svg", grads=True)``.
    Renders with the system ``dot`` or else graphviz-pure (see `render`).
    """
    return render(draw_network(model, x, **options), path)


# ---------------------------------------------------------------------------------------------
# Rendering: system dot, else graphviz-pure
# ---------------------------------------------------------------------------------------------


def find_renderer() -> str:
    """The path of the layout command: ``dot`` if on PATH, else ``graphviz-pure``.

    graphviz-pure is looked up on PATH and next to the running Python (a virtualenv's bin/ or
    Scripts/ need not be on PATH). Raises RuntimeError with install instructions if neither exists.
    """
    found = shutil.which("dot") or shutil.which("graphviz-pure")
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        found = found or shutil.which("graphviz-pure", path=folder)
    if not found:
        raise RuntimeError(_INSTALL_HINT)
    return found


def _as_graph(graph_or_root: Any, what: str) -> Any:
    if isinstance(graph_or_root, graphviz.Digraph | graphviz.Graph):
        return graph_or_root
    if hasattr(graph_or_root, "_prev"):
        return draw_dot(graph_or_root)
    fail(what, graph_or_root, "a graphviz Digraph (from draw_dot) or a graph node (Value/Tensor)")


def _check_format(fmt: object, what: str) -> str:
    if not isinstance(fmt, str) or fmt not in graphviz.FORMATS:
        fail(what, fmt, "an output format such as 'svg' or 'png' (graphviz.FORMATS)", ValueError)
    return fmt


def _run(source: str, fmt: str, out: str | None = None) -> bytes:
    """Run the renderer on DOT `source`; write to `out`, or return stdout if out is None."""
    command = [find_renderer(), f"-T{fmt}"] + (["-o", out] if out else [])
    done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{' '.join(command)} failed (exit {done.returncode}): {message}")
    return done.stdout


def render(graph_or_root: Any, path: str | os.PathLike[str], format: str | None = None) -> Path:
    """Write the graph as an image file and return its path.

    `graph_or_root` is a graph from `draw_dot`/`draw_network` (or any graphviz Digraph) or a root
    node, drawn with the defaults. `format` defaults to the file suffix ("g.png" → png), else the
    graph's format. Uses the system ``dot`` if on PATH, else ``graphviz-pure`` (`find_renderer`).
    The file is written atomically: rendered to a temporary file in the same folder, then renamed
    over `path`, so a failed render never leaves a half-written or clobbered file.
    """
    graph = _as_graph(graph_or_root, "render(graph_or_root)")
    if not isinstance(path, (str, os.PathLike)):
        fail("render(path=...)", path, "a str or os.PathLike")
    target = Path(path)
    if format is None:
        format = target.suffix[1:].lower() or graph.format or "svg"
    fmt = _check_format(format, "render(format=...)")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"render(path=...): the folder {str(folder)!r} does not exist")
    with tempfile.TemporaryDirectory(dir=folder, prefix=".draw_dot-") as scratch:
        partial = os.path.join(scratch, "out." + fmt)
        _run(graph.source, fmt, partial)
        os.replace(partial, target)
    return target


def to_svg(graph_or_root: Any) -> str:
    """The graph as SVG text, rendered with ``dot`` or ``graphviz-pure`` (for notebooks, web pages)."""
    graph = _as_graph(graph_or_root, "to_svg(graph_or_root)")
    return _run(graph.source, "svg").decode("utf-8")


_MIME_FORMATS = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpeg"}


def _only_dot_options(what: str, **options: Any) -> None:
    """The graphviz-pure fallback runs plain `dot -T<format>`: other layout options need Graphviz."""
    for name, value in options.items():
        if value not in (None, False, "dot"):
            fail(f"{what}({name}=...)", value, f"None: {_INSTALL_HINT.split(': ', 1)[1]} to use it")


class DotGraph(graphviz.Digraph):
    """A `graphviz.Digraph` that also renders where only graphviz-pure is installed.

    ``.render()``, ``.view()`` and ``.pipe()`` (micrograd's ``draw_dot(root).render('gout')``)
    use the system ``dot`` when it is on PATH, else graphviz-pure; so does Jupyter's inline
    display (`_repr_mimebundle_`). `export(path)` writes a file atomically (see `render`).
    `collapsed` says how `draw_dot` collapsed a big graph ("neuron", "layer" or "" for the full
    view) and `value_nodes` how many value nodes the graph has.
    """

    collapsed: str = ""
    value_nodes: int = 0

    def export(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the graph to `path` (format from the suffix by default); see `render`."""
        return render(self, path, format)

    def render(
        self,
        filename: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        quiet_view: bool = False,
        *,
        outfile: str | os.PathLike[str] | None = None,
        engine: str | None = None,
        raise_if_result_exists: bool = False,
        overwrite_source: bool = False,
    ) -> str:
        """graphviz's ``render``: save the DOT source, render it next to it; return the image path.

        ``g.render('gout')`` writes ``gout`` (the source) and ``gout.svg``. Without a system
        ``dot`` the image comes from graphviz-pure (plain ``-T<format>``: no renderer/formatter).
        """
        if shutil.which("dot"):
            return super().render(
                filename,
                directory,
                view,
                cleanup,
                format,
                renderer,
                formatter,
                neato_no_op,
                quiet,
                quiet_view,
                outfile=outfile,
                engine=engine,
                raise_if_result_exists=raise_if_result_exists,
                overwrite_source=overwrite_source,
            )
        _only_dot_options(
            "render", renderer=renderer, formatter=formatter, neato_no_op=neato_no_op, engine=engine
        )
        if outfile is not None:
            outfile = Path(outfile) if directory is not None else Path(self.directory, outfile)
            format = format or outfile.suffix[1:].lower() or None
            if filename is None:  # the source goes next to the image, as graphviz does
                filename = (
                    outfile.with_suffix(".gv") if directory is None else outfile.with_suffix(".gv").name
                )
        fmt = _check_format(format or self.format, "render(format=...)")
        source = self.save(filename, directory=directory)
        target = Path(outfile) if outfile is not None else Path(f"{source}.{fmt}")
        if raise_if_result_exists and target.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
        _run(self.source, fmt, os.fspath(target))
        if cleanup:
            os.remove(source)
        if view or quiet_view:
            self._view(target, format=fmt, quiet=quiet_view)
        return os.fspath(target)

    def pipe(
        self,
        format: str | None = None,
        renderer: str | None = None,
        formatter: str | None = None,
        neato_no_op: bool | int | None = None,
        quiet: bool = False,
        *,
        engine: str | None = None,
        encoding: str | None = None,
    ) -> bytes | str:
        """graphviz's ``pipe``: the rendered image as bytes (or str with `encoding`)."""
        if shutil.which("dot"):
            return super().pipe(
                format, renderer, formatter, neato_no_op, quiet, engine=engine, encoding=encoding
            )
        _only_dot_options(
            "pipe", renderer=renderer, formatter=formatter, neato_no_op=neato_no_op, engine=engine
        )
        image = _run(self.source, _check_format(format or self.format, "pipe(format=...)"))
        return image if encoding is None else image.decode(encoding)

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> dict[str, str | bytes]:
        """Inline display: SVG by default; `include`/`exclude` pick among svg, png and jpeg."""
        wanted = set(include) if include is not None else {"image/svg+xml"}
        wanted -= set(exclude or ())
        bundle: dict[str, str | bytes] = {}
        for mime, fmt in _MIME_FORMATS.items():
            if mime in wanted:
                image = _run(self.source, fmt)
                bundle[mime] = image.decode("utf-8") if fmt == "svg" else image
        return bundle


class NetworkGraph(DotGraph):
    """What `draw_network` returns: a `DotGraph` that also says what it drew, neuron by neuron.

    Neurons are (l, j) pairs, l = 0 for the inputs. `layer_sizes`: every column's full size;
    `inactive`: the drawn neurons switched off (ReLU z ≤ 0, Maxout's zero piece, dropped);
    `dropped`: those a dropout mask dropped; `winners`: (l, j) → Maxout's winning piece;
    `values`: (l, j) → the neuron's output for x; `grad_magnitude`: (l, j) → mean |∂L/∂w|.
    """

    layer_sizes: tuple[int, ...] = ()
    inactive: frozenset[tuple[int, int]] = frozenset()
    dropped: frozenset[tuple[int, int]] = frozenset()
    winners: dict[tuple[int, int], int]
    values: dict[tuple[int, int], float]
    grad_magnitude: dict[tuple[int, int], float]
