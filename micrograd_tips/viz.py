"""Draw a computation graph with Graphviz: `draw_dot`, and render it without system Graphviz.

`draw_dot(root)` walks the graph behind `root` (scalar `Value`s or NumPy-backend Tensors) and
returns a `DotGraph` — a `graphviz.Digraph` — with one record node per value (label, data, grad),
one small node per op and edges input → op → output. Nodes are coloured by their role (learnable
parameter, input, constant, output) and a legend explains the colours. ``dim=`` greys out a set
of nodes: the losing pieces of a Maxout group (lecture A3) or the dropped neurons of a thinned
network (lecture B3).

The DOT text is deterministic: nodes are numbered ``n0, n1, …`` in depth-first order from the
root (operands in order), so the same graph gives byte-identical `.source` in every process.

`render(graph, "out.svg")` writes SVG/PNG with the system ``dot`` when it is on PATH, otherwise
with ``graphviz-pure`` (``pip install "micrograd-tips[viz]"``), a dot-compatible renderer with the
same flags. Notebooks show a `DotGraph` inline through the same fallback.
"""

from __future__ import annotations

import numbers
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import graphviz

__all__ = ["DotGraph", "draw_dot", "find_renderer", "render", "to_svg"]

# Fill colours by role; the legend is built from this table.
ROLE_COLORS: dict[str, str] = {
    "parameter": "#ffd59e",  # learnable: weights, biases, PReLU's α
    "input": "#cde6ff",  # data you fed in (_op == "")
    "constant": "#fff6bf",  # a number an operator wrapped (_op == "const")
    "output": "#b9f0b9",  # the root
}
_INTERMEDIATE_COLOR = "#ffffff"
_OP_COLOR = "#eeeeee"
_DIM = {"color": "#c8c8c8", "fontcolor": "#b0b0b0", "fillcolor": "#f8f8f8", "style": "filled,dashed"}
_DIM_EDGE = {"color": "#c8c8c8", "style": "dashed"}

_RANKDIRS = ("LR", "RL", "TB", "BT")
_INSTALL_HINT = (
    'no Graphviz renderer found: pip install "micrograd-tips[viz]" (provides the graphviz-pure '
    "command) or install Graphviz (the dot command, https://graphviz.org/download/)"
)


# ---------------------------------------------------------------------------------------------
# Reading a node (duck-typed: Value or Tensor)
# ---------------------------------------------------------------------------------------------


def _check_node(obj: object, what: str) -> None:
    if not (hasattr(obj, "data") and hasattr(obj, "_prev") and hasattr(obj, "_op")):
        raise TypeError(
            f"{what}: got {type(obj).__name__} {obj!r:.60}; expected a graph node "
            "(a Value or Tensor with .data, ._prev and ._op)"
        )


def _inputs(node: Any) -> tuple[Any, ...] | list[Any]:
    prev = node._prev
    if not isinstance(prev, (tuple, list)):
        raise TypeError(
            f"draw_dot: node {node!r:.60} has _prev of type {type(prev).__name__}; expected a tuple "
            "(or list) of input nodes in operand order, so that the drawing is deterministic"
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
    raise TypeError(
        f"draw_dot: a node's {name} is {type(value).__name__} {value!r:.60}; expected a real number, "
        "an array with .shape, or None"
    )


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
    label = getattr(node, "label", "")
    if label is None:
        return ""
    if not isinstance(label, str):
        raise TypeError(f"draw_dot: a node's label is {type(label).__name__} {label!r:.60}; expected a str")
    return label


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


def _numbered(root: Any, max_nodes: int) -> list[Any]:
    """Every node reachable from root, root first, in iterative depth-first pre-order.

    Raises ValueError (after counting the whole graph, still iteratively) above max_nodes.
    """
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
    if len(order) > max_nodes:
        raise ValueError(
            f"draw_dot: the graph has {len(order)} value nodes, more than max_nodes={max_nodes}. "
            f"Pass max_nodes={len(order)} (or larger) to draw it anyway, or draw a smaller sub-graph."
        )
    return order


def _node_ids(nodes: Iterable[Any] | None, what: str) -> set[int]:
    """The identities of the given nodes (a Module's parameters() if it has one)."""
    if nodes is None:
        return set()
    if hasattr(nodes, "parameters") and callable(nodes.parameters):
        nodes = nodes.parameters()
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Iterable) or hasattr(nodes, "_prev"):
        raise TypeError(
            f"draw_dot({what}=...): got {type(nodes).__name__}; expected an iterable of graph nodes "
            "(a list or set of Values/Tensors) or a Module"
        )
    nodes = list(nodes)
    for node in nodes:
        _check_node(node, f"draw_dot({what}=...) element")
    return {id(node) for node in nodes}


def _role(node: Any, is_root: bool, param_ids: set[int]) -> str:
    if is_root:
        return "output"
    if id(node) in param_ids or node._op == "param":
        return "parameter"
    if node._prev:
        return "intermediate"
    return "constant" if node._op == "const" else "input"


# ---------------------------------------------------------------------------------------------
# draw_dot
# ---------------------------------------------------------------------------------------------


def _check_args(
    fmt: object, rankdir: object, show_grad: object, max_nodes: object, title: object, legend: object
) -> None:
    _check_format(fmt, "draw_dot(format=...)")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_dot(rankdir=...): got {rankdir!r}; expected one of {_RANKDIRS}")
    for name, flag in (("show_grad", show_grad), ("legend", legend)):
        if not isinstance(flag, bool):
            raise TypeError(f"draw_dot({name}=...): got {type(flag).__name__}; expected a bool")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(f"draw_dot(max_nodes=...): got {type(max_nodes).__name__}; expected an int ≥ 1")
    if max_nodes < 1:
        raise ValueError(f"draw_dot(max_nodes=...): got {max_nodes}; expected an int ≥ 1")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"draw_dot(title=...): got {type(title).__name__}; expected a str or None")


def draw_dot(
    root: Any,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    show_grad: bool = True,
    params: Iterable[Any] | None = None,
    dim: Iterable[Any] | None = None,
    max_nodes: int = 500,
    title: str | None = None,
    legend: bool = True,
) -> DotGraph:
    """Draw the computation graph that produced `root` (a `Value` or a Tensor) as a Graphviz digraph.

    Structure: one record node per value — ``{ label | data | grad }``; a Tensor node also shows
    ``shape dtype`` and summarises data and grad (up to 4 values listed, else min / mean / max;
    a grad of None shows "grad None"). One ellipse per op (`_op`) and the edges
    input → op → output; leaves have no op node. The graph is what backpropagation walks:
    ∂L/∂x = Σ over x's consumers of (local derivative × the consumer's grad) (lecture 0: θ ← θ − η∇L).

    Colours by role, with a legend: learnable parameter (``_op == "param"`` or listed in `params`),
    input (a leaf with ``_op == ""``), constant (``_op == "const"``), output (the root);
    intermediate values are white.

    Args:
        root: the output node.
        format: the output format used by `render`/`.render()` (e.g. "svg", "png").
        rankdir: layout direction, one of "LR", "RL", "TB", "BT".
        show_grad: False hides the grad fields (e.g. before `backward()`).
        params: extra nodes to colour as parameters — an iterable of nodes or a Module.
        dim: nodes to grey out (dashed, pale), together with their op node and their edges: the
            losing pieces of a Maxout group (A3) or the dropped neurons of a thinned network (B3).
            Nodes not in the graph are ignored.
        max_nodes: the size cap; a bigger graph raises ValueError saying its size.
        title: a caption drawn above the graph.
        legend: False leaves out the legend.

    Node ids are ``n0, n1, …`` in depth-first order from the root (operand order); op nodes are
    ``n<k>_op``. The DOT source is therefore the same in every run and every process.
    """
    _check_node(root, "draw_dot(root)")
    _check_args(format, rankdir, show_grad, max_nodes, title, legend)
    param_ids = _node_ids(params, "params")
    dim_ids = _node_ids(dim, "dim")
    nodes = _numbered(root, max_nodes)

    graph = DotGraph(format=format, graph_attr={"rankdir": rankdir})
    if title:
        graph.attr(label=graphviz.nohtml(_escape_text(title)), labelloc="t", fontsize="16")
    graph.attr("node", fontsize="11")
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
    raise TypeError(
        f"{what}: got {type(graph_or_root).__name__}; expected a graphviz Digraph (from draw_dot) "
        "or a graph node (Value/Tensor)"
    )


def _check_format(fmt: object, what: str) -> str:
    if not isinstance(fmt, str) or fmt not in graphviz.FORMATS:
        raise ValueError(f"{what}: got format {fmt!r}; expected one of {sorted(graphviz.FORMATS)}")
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

    `graph_or_root` is a graph from `draw_dot` (or any graphviz Digraph) or a root node, drawn
    with the defaults. `format` defaults to the file suffix ("g.png" → png), else the graph's
    format. Uses the system ``dot`` if on PATH, else ``graphviz-pure`` (see `find_renderer`).
    The file is written atomically: rendered to a temporary file in the same folder, then renamed
    over `path`, so a failed render never leaves a half-written or clobbered file.
    """
    graph = _as_graph(graph_or_root, "render(graph_or_root)")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render(path=...): got {type(path).__name__}; expected a str or os.PathLike")
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


class DotGraph(graphviz.Digraph):
    """A `graphviz.Digraph` that also renders where only graphviz-pure is installed.

    Jupyter calls `_repr_mimebundle_` to show it inline; `export(path)` writes a file (see
    `render`). Everything else is plain `graphviz.Digraph` (`.source`, `.node`, `.edge`, …).
    """

    def export(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the graph to `path` (format from the suffix by default); see `render`."""
        return render(self, path, format)

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
