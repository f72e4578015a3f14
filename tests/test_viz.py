"""Tests for micrograd_tips.viz: structure and determinism from the DOT text, rendering, errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import Value, max_of, sum_of, viz
from micrograd_tips.nn import MLP
from micrograd_tips.viz import ROLE_COLORS, DotGraph, draw_dot, find_renderer, render, to_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
_REAL_WHICH = shutil.which
HAVE_PURE = bool(
    _REAL_WHICH("graphviz-pure") or _REAL_WHICH("graphviz-pure", path=os.path.dirname(sys.executable))
)
needs_pure = pytest.mark.skipif(not HAVE_PURE, reason="graphviz-pure is not installed")


# ---------------------------------------------------------------------------------------------
# A tiny DOT reader (independent of viz.py): nodes with attributes, and edges
# ---------------------------------------------------------------------------------------------

_NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
_EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def _attrs(text: str | None) -> dict[str, str]:
    out = {}
    for key, value in _ATTR.findall(text or ""):
        out[key] = value[1:-1] if value.startswith('"') else value
    return out


def parse(source: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    nodes = {n: _attrs(a) for n, a in _NODE.findall(source) if n not in ("graph", "node", "edge")}
    edges = [(a, b, _attrs(attrs)) for a, b, attrs in _EDGE.findall(source)]
    return nodes, edges


def graph_part(nodes: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {n: a for n, a in nodes.items() if not n.startswith("legend_")}


def by_label(nodes: dict[str, dict[str, str]], text: str) -> str:
    """The id of the one value node whose record label contains `text` as a field."""
    hits = [n for n, a in nodes.items() if a.get("shape") == "record" and f" {text} |" in a["label"]]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def small_graph() -> tuple[Value, Value, Value]:
    """y = relu(w·x + 1) with w = -2 (parameter), x = 3 (input), 1 a constant."""
    x = Value(3.0, label="x")
    w = Value.parameter(-2.0, "w")
    y = (w * x + 1).relu()
    y.label = "y"
    return x, w, y


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_small_graph_counts_and_edges_by_hand() -> None:
    _, _, y = small_graph()
    nodes, edges = parse(draw_dot(y).source)
    part = graph_part(nodes)
    records = [n for n, a in part.items() if a["shape"] == "record"]
    ops = {a["label"]: n for n, a in part.items() if a["shape"] == "ellipse"}
    # value nodes: x, w, w*x, 1, w*x+1, y  — op nodes: *, +, relu
    assert len(records) == 6
    assert sorted(ops) == ["*", "+", "relu"]
    # edges: w→*, x→*, *→wx, wx→+, 1→+, +→s, s→relu, relu→y
    assert len(edges) == 8
    pairs = {(a, b) for a, b, _ in edges}
    nx, nw, ny = by_label(part, "x"), by_label(part, "w"), by_label(part, "y")
    assert {(nx, ops["*"]), (nw, ops["*"]), (ops["relu"], ny)} <= pairs
    # every op node has exactly one outgoing edge, to the value it produced
    for op in ops.values():
        assert len([b for a, b in pairs if a == op]) == 1
    # leaves have no op node: nothing points into x, w or the constant
    heads = {b for _, b in pairs}
    assert nx not in heads and nw not in heads
    # root is n0, and numbering is 0..5
    assert ny == "n0"
    assert sorted(records) == [f"n{i}" for i in range(6)]


def test_operand_order_is_kept_for_reused_input() -> None:
    a = Value(2.0, label="a")
    y = a * a  # the same input twice: two edges into the op node
    nodes, edges = parse(draw_dot(y).source)
    na = by_label(graph_part(nodes), "a")
    assert [(s, t) for s, t, _ in edges].count((na, "n0_op")) == 2


def test_colours_by_role_and_intermediate_white() -> None:
    _, _, y = small_graph()
    part = graph_part(parse(draw_dot(y).source)[0])
    assert part[by_label(part, "x")]["fillcolor"] == ROLE_COLORS["input"]
    assert part[by_label(part, "w")]["fillcolor"] == ROLE_COLORS["parameter"]
    assert part[by_label(part, "y")]["fillcolor"] == ROLE_COLORS["output"]
    const = [n for n, a in part.items() if a.get("label") == "{ data 1 | grad 0 }"]
    assert len(const) == 1 and part[const[0]]["fillcolor"] == ROLE_COLORS["constant"]
    product = [n for n, a in part.items() if a.get("label") == "{ data -6 | grad 0 }"]
    assert part[product[0]]["fillcolor"] == "#ffffff"
    assert len(set(ROLE_COLORS.values()) | {"#ffffff"}) == 5  # all roles distinguishable


def test_params_argument_marks_plain_leaves_as_parameters() -> None:
    x, _, y = small_graph()

    class Model:  # a Module-like object
        def parameters(self) -> list[Value]:
            return [x]

    for params in ([x], {x}, Model()):
        part = graph_part(parse(draw_dot(y, params=params).source)[0])
        assert part[by_label(part, "x")]["fillcolor"] == ROLE_COLORS["parameter"]
        assert part[by_label(part, "w")]["fillcolor"] == ROLE_COLORS["parameter"]


def test_legend_lists_every_role_with_its_colour() -> None:
    _, _, y = small_graph()
    source = draw_dot(y).source
    assert "subgraph cluster_legend {" in source
    legend = {n: a for n, a in parse(source)[0].items() if n.startswith("legend_")}
    assert {a["label"]: a["fillcolor"] for a in legend.values()} == ROLE_COLORS
    assert "cluster_legend" not in draw_dot(y, legend=False).source


def test_show_grad_values_match_closed_form_and_can_be_hidden() -> None:
    x = Value(3.0, label="x")
    w = Value.parameter(-2.0, "w")
    y = w * x + 1  # ∂y/∂w = x = 3, ∂y/∂x = w = -2
    y.backward()
    part = graph_part(parse(draw_dot(y).source)[0])
    assert part[by_label(part, "w")]["label"] == "{ w | data -2 | grad 3 }"
    assert part[by_label(part, "x")]["label"] == "{ x | data 3 | grad -2 }"
    hidden = draw_dot(y, show_grad=False).source
    assert "grad" not in hidden
    assert "{ w | data -2 }" in hidden


def test_floats_are_compact() -> None:
    y = Value(1 / 3, label="a") + Value(123456.0, label="b")
    source = draw_dot(y, show_grad=False).source
    assert "{ a | data 0.3333 }" in source
    assert "{ b | data 1.235e+05 }" in source
    assert 'n0 [label="{ data 1.235e+05 }"' in source  # 123456.333… rounds to 1.235e+05
    assert "inf" in draw_dot(Value(1e308) * 10, show_grad=False).source


def test_record_special_characters_are_escaped() -> None:
    v = Value(1.0, label='a{b}|<c>"d\\e\nf')
    source = draw_dot(v, show_grad=False).source
    assert r'label="{ a\{b\}\|\<c\>\"d\\e\nf | data 1 }"' in source


def test_title_is_drawn_and_escaped() -> None:
    _, _, y = small_graph()
    source = draw_dot(y, title='loss "L"').source
    assert r'label="loss \"L\""' in source and "labelloc=t" in source


# ---------------------------------------------------------------------------------------------
# dim= (Maxout losers, dropped neurons)
# ---------------------------------------------------------------------------------------------


def test_dim_greys_out_nodes_their_op_and_edges() -> None:
    z1 = Value(1.0, label="a1") * 2.0
    z1.label = "z1"
    z2 = Value(3.0, label="a2") * 2.0
    z2.label = "z2"
    a = max_of([z1, z2])  # z1 loses the group
    nodes, edges = parse(draw_dot(a, dim=[z1]).source)
    part = graph_part(nodes)
    n1, n2 = by_label(part, "z1"), by_label(part, "z2")
    assert "dashed" in part[n1]["style"] and "dashed" in part[f"{n1}_op"]["style"]
    assert "dashed" not in part[n2]["style"] and "dashed" not in part[f"{n2}_op"]["style"]
    styles = {(s, t): a.get("style") for s, t, a in edges}
    assert styles[(n1, "n0_op")] == "dashed" and styles[(f"{n1}_op", n1)] == "dashed"
    assert styles[(n2, "n0_op")] is None
    legend = {n: a for n, a in nodes.items() if n.startswith("legend_")}
    assert "legend_dimmed" in legend
    assert "legend_dimmed" not in draw_dot(a).source
    assert "legend_dimmed" not in draw_dot(a, dim=[Value(0.0)]).source  # not in the graph


# ---------------------------------------------------------------------------------------------
# Random DAGs: counts from the construction
# ---------------------------------------------------------------------------------------------


@st.composite
def dags(draw: st.DrawFn) -> tuple[Value, int, int, int]:
    """A random DAG with reused nodes; returns (root, value nodes, op nodes, edges) counted by hand."""
    n_leaves = draw(st.integers(1, 4))
    made = [Value(float(i), label=f"x{i}") for i in range(n_leaves)]
    ops = 0
    arity_total = 0
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["+", "*", "-", "tanh", "relu", "sum", "max"]))
        pick = st.integers(0, len(made) - 1)
        if kind in ("tanh", "relu"):
            made.append(getattr(made[draw(pick)], kind)())
            arity = 1
        elif kind in ("sum", "max"):
            idx = draw(st.lists(pick, min_size=1, max_size=4))
            made.append((sum_of if kind == "sum" else max_of)([made[i] for i in idx]))
            arity = len(idx)
        else:
            a, b = made[draw(pick)], made[draw(pick)]
            made.append(a + b if kind == "+" else a * b if kind == "*" else a - b)
            arity = 2
        ops += 1
        arity_total += arity
    root = sum_of(made)  # every node made above is in the graph
    values = len(made) + 1
    op_nodes = ops + 1
    edges = arity_total + len(made) + op_nodes  # inputs → op, plus one op → output per op
    return root, values, op_nodes, edges


@settings(max_examples=40)
@given(dags())
def test_random_dag_counts(case: tuple[Value, int, int, int]) -> None:
    root, values, op_nodes, n_edges = case
    nodes, edges = parse(draw_dot(root).source)
    part = graph_part(nodes)
    assert len([a for a in part.values() if a["shape"] == "record"]) == values
    assert len([a for a in part.values() if a["shape"] == "ellipse"]) == op_nodes
    assert len(edges) == n_edges
    # every edge runs value → op → value, never value → value
    for a, b, _ in edges:
        assert a.endswith("_op") != b.endswith("_op")


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------

BUILD = textwrap.dedent(
    """
    from micrograd_tips import Value, sum_of, max_of
    from micrograd_tips.viz import draw_dot

    def build():
        xs = [Value(float(i) / 7, label=f"x{i}") for i in range(5)]
        ws = [Value.parameter(0.5 - i / 3, f"w{i}") for i in range(5)]
        hs = [(w * x + 0.1).tanh() for w, x in zip(ws, xs)]
        z = sum_of(hs + [hs[0] * hs[1]])
        y = max_of([z, hs[2], z * 2]).relu()
        y.backward()
        return draw_dot(y, dim=[hs[3]], title="t").source
    """
)


def _build_source() -> str:
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    return namespace["build"]()  # type: ignore[operator,no-any-return]


def test_same_graph_same_source_in_process() -> None:
    first = _build_source()
    junk = [Value(float(i)) for i in range(1000)]  # shift object addresses
    assert _build_source() == first
    del junk


def test_same_source_across_processes() -> None:
    here = _build_source()
    script = BUILD + "\nimport sys\nsys.stdout.write(build())\n"
    for seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True)
        assert out.stdout.decode("utf-8") == here


# ---------------------------------------------------------------------------------------------
# Size cap
# ---------------------------------------------------------------------------------------------


def test_size_cap_message_when_collapsing_is_off() -> None:
    v = Value(0.0)
    for _ in range(9):
        v = v.tanh()  # a chain of 10 value nodes
    with pytest.raises(ValueError, match=r"max_nodes.*got int 5.*has 10 value nodes.*max_nodes=10"):
        draw_dot(v, max_nodes=5, collapse="off")
    assert draw_dot(v, max_nodes=10).source.count("shape=record") == 10
    assert draw_dot(v, max_nodes=10).collapsed == ""


def test_chain_of_100k_nodes_collapses_without_recursion() -> None:
    v = Value(0.5, label="x")
    for _ in range(99_999):
        v = v.relu()
    with pytest.raises(ValueError, match="has 100000 value nodes"):
        draw_dot(v, collapse="off")
    g = draw_dot(v)  # one input box, one box of 99,998 relus, the output
    assert g.collapsed == "neuron" and g.value_nodes == 100_000
    nodes, edges = parse(g.source)
    assert len(nodes) == 3 and len(edges) == 2
    assert "99998 nodes" in g.source and "relu ×99998" in g.source
    assert "100000 value nodes drawn as one box per neuron" in g.source


def mlp_step(batch: int, sizes: list[int], seed: int = 0) -> tuple[Value, MLP, int]:
    """A real training step's graph: the mean squared error of an MLP over a batch, plus L2 on w.

    Returns (loss, model, number of value nodes counted independently of viz by a set walk).
    """
    model = MLP(sizes[0], sizes[1:], seed=seed)
    rows = [[(i * 7 + j) % 5 / 5 - 0.4 for j in range(sizes[0])] for i in range(batch)]
    preds = [model(r) for r in rows]
    loss = sum_of([(p - 1.0) ** 2 for p in preds]) * (1.0 / batch)
    loss = loss + sum_of([p * p for p in model.parameters()]) * 1e-4
    seen: set[int] = set()
    stack = [loss]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node._prev)
    return loss, model, len(seen)


def test_big_graph_collapses_to_one_box_per_neuron() -> None:
    sizes = [3, 5, 4, 1]
    loss, _model, count = mlp_step(batch=20, sizes=sizes)
    assert count > 500
    g = draw_dot(loss)
    assert g.collapsed == "neuron" and g.value_nodes == count
    nodes, _edges = parse(g.source)
    heads = [a["label"].split("\\n")[0] for a in nodes.values() if a.get("shape") == "box"]
    # one box per neuron of each layer, plus inputs and output
    for layer, width in enumerate(sizes[1:], start=1):
        assert sorted(h for h in heads if h.startswith(f"layer {layer} · neuron")) == [
            f"layer {layer} · neuron {j}" for j in range(width)
        ]
    assert "inputs" in heads and "output" in heads
    assert "layer 3 · other ops" in heads  # the L2 sum over every parameter: no single neuron
    # the boxes account for every value node exactly once
    counts = [int(re.search(r"\\n(\d+) nodes?", a["label"]).group(1)) for a in nodes.values()]  # type: ignore[union-attr]
    assert sum(counts) == count
    # each neuron box holds its parameters (nin weights + a bias) and its dot on every example
    first = next(a["label"] for a in nodes.values() if a["label"].startswith("layer 1 · neuron 0"))
    assert f"{sizes[0] + 1} parameters" in first and "dot ×20" in first
    assert "collapsed view" in g.source and f"max_nodes={count}" in g.source


def test_layer_view_and_forced_modes() -> None:
    loss, _, count = mlp_step(batch=4, sizes=[2, 3, 3, 1])
    g = draw_dot(loss, collapse="layer")
    assert g.collapsed == "layer"
    heads = sorted(a["label"].split("\\n")[0] for a in parse(g.source)[0].values())
    assert heads == ["inputs", "layer 1", "layer 2", "layer 3", "output"]
    assert draw_dot(loss, collapse="neuron").collapsed == "neuron"
    # auto picks the layer view when one box per neuron would still exceed max_nodes
    assert draw_dot(loss, max_nodes=6).collapsed == "layer"
    with pytest.raises(ValueError, match="even one box per layer needs 5 boxes"):
        draw_dot(loss, max_nodes=4)
    assert draw_dot(loss, max_nodes=count).collapsed == ""


def test_collapsed_edges_count_the_edges_they_stand_for() -> None:
    loss, _, _ = mlp_step(batch=5, sizes=[2, 2, 1])
    nodes, edges = parse(draw_dot(loss, collapse="layer").source)
    name = {a["label"].split("\\n")[0]: n for n, a in nodes.items()}
    labels = {(a, b): at.get("label", "") for a, b, at in edges}
    # every example's 2 inputs feed each of the 2 first-layer neurons: 5 · 2 · 2 edges
    assert labels[(name["inputs"], name["layer 1"])] == "×20"


def test_collapsed_source_is_deterministic_across_processes() -> None:
    script = textwrap.dedent(
        """
        import sys
        from micrograd_tips import Value, sum_of
        from micrograd_tips.nn import MLP
        from micrograd_tips.viz import draw_dot
        m = MLP(3, [4, 1], seed=3)
        rows = [[i / 3, -i / 5, 1.0] for i in range(30)]
        loss = sum_of([(m(r) - 1.0) ** 2 for r in rows])
        sys.stdout.write(draw_dot(loss, max_nodes=50).source)
        """
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
            check=True,
        ).stdout
        for seed in ("0", "999")
    }
    assert len(outs) == 1 and b"collapsed view" in outs.pop()


# ---------------------------------------------------------------------------------------------
# Tensor-like nodes (duck typing)
# ---------------------------------------------------------------------------------------------


class FakeTensor:
    """A node as the NumPy backend will make it: ndarray data, grad None until a backward."""

    def __init__(
        self,
        data: object,
        grad: object = None,
        label: str = "",
        _prev: tuple = (),
        _op: str = "",
        _role: str = "",
    ):
        self.data, self.grad, self.label, self._prev, self._op, self._role = (
            data,
            grad,
            label,
            _prev,
            _op,
            _role,
        )


def test_tensor_nodes_show_shape_dtype_and_summaries() -> None:
    np = pytest.importorskip("numpy")
    W = FakeTensor(np.arange(6.0).reshape(2, 3), np.full((2, 3), 0.5), "W", _role="param")
    b = FakeTensor(np.array([1.5, -2.0], dtype=np.float32), None, "b", _role="param")
    out = FakeTensor(np.zeros((2, 3)), None, "out", (W, b), "add")
    part = graph_part(parse(draw_dot(out).source)[0])
    assert part[by_label(part, "W")]["label"] == (
        "{ W | (2, 3) float64 | data min 0  mean 2.5  max 5 | grad min 0.5  mean 0.5  max 0.5 }"
    )
    assert part[by_label(part, "b")]["label"] == "{ b | (2,) float32 | data [1.5, -2] | grad None }"
    assert part[by_label(part, "out")]["label"].endswith("| grad None }")
    assert part[by_label(part, "W")]["fillcolor"] == ROLE_COLORS["parameter"]
    assert part["n0_op"]["label"] == "add"
    empty = FakeTensor(np.zeros((0, 4)), label="e")
    assert "{ e | (0, 4) float64 | data empty | grad None }" in draw_dot(empty).source


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"format": "bmpx"}, ValueError, r"format.*'bmpx'"),
        ({"rankdir": "XY"}, ValueError, r"rankdir.*'XY'"),
        ({"max_nodes": 0}, ValueError, r"max_nodes.*got int 0"),
        ({"collapse": "some"}, ValueError, r"collapse.*'some'.*'auto'"),
        ({"max_nodes": True}, TypeError, r"max_nodes.*bool"),
        ({"show_grad": 1}, TypeError, r"show_grad.*int"),
        ({"title": 3}, TypeError, r"title.*int"),
        ({"params": 3}, TypeError, r"params.*int"),
        ({"params": [1.0]}, TypeError, r"params.*float"),
        ({"dim": "x"}, TypeError, r"dim.*str"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        draw_dot(Value(1.0), **kwargs)


def test_bad_nodes() -> None:
    with pytest.raises(TypeError, match=r"root.*float.*graph node"):
        draw_dot(1.0)
    with pytest.raises(TypeError, match="_prev: got set"):
        draw_dot(FakeTensor(1.0, 0.0, "s", ({FakeTensor(2.0)}), "add"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="label: got int"):
        draw_dot(FakeTensor(1.0, 0.0, 7))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data: got str"):
        draw_dot(FakeTensor("one", 0.0))


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def pure_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide a system `dot`, so graphviz-pure does the rendering."""
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "dot" else _REAL_WHICH(name, *a, **k)
    )


@pytest.fixture
def no_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    return [t.text or "" for t in root.iter(SVG_NS + "text")]


@needs_pure
def test_render_svg_with_graphviz_pure(tmp_path: Path, pure_only: None) -> None:
    assert "graphviz-pure" in Path(find_renderer()).name
    _, _, y = small_graph()
    target = render(draw_dot(y, title="small"), tmp_path / "g.svg")
    assert target == tmp_path / "g.svg"
    texts = _svg_texts(target.read_text("utf-8"))
    for expected in ("x", "w", "y", "data 3", "data -2", "relu", "*", "+", "legend", "parameter", "small"):
        assert expected in texts, expected
    assert os.listdir(tmp_path) == ["g.svg"]  # no temporary files left


@needs_pure
def test_render_png_and_node_root(tmp_path: Path, pure_only: None) -> None:
    _, _, y = small_graph()
    png = render(y, str(tmp_path / "g.png"))  # a root node is drawn with the defaults
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = render(draw_dot(y), tmp_path / "noext", format="svg")
    _svg_texts(svg.read_text("utf-8"))
    assert DotGraph.export(draw_dot(y), tmp_path / "e.svg").exists()


@needs_pure
def test_rendered_labels_show_the_raw_text(pure_only: None) -> None:
    raw = 'a{b}|<c>"d\\e'
    assert raw in _svg_texts(to_svg(Value(1.0, label=raw)))


@needs_pure
def test_renderer_parses_the_structure(pure_only: None) -> None:
    """graphviz-pure's own DOT parser (JSON output) sees the same nodes and edges."""
    _, _, y = small_graph()
    out = subprocess.run(
        [find_renderer(), "-Tjson"], input=draw_dot(y).source.encode(), capture_output=True, check=True
    )
    doc = json.loads(out.stdout)
    names = [o["name"] for o in doc["objects"] if "nodes" not in o]  # skip the legend cluster
    assert len([n for n in names if not n.startswith("legend_")]) == 9  # 6 values + 3 ops
    assert len(doc["edges"]) == 8


def test_failed_render_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken-dot"
    broken.write_text(
        f"#!{sys.executable}\nimport sys\n"
        "open(sys.argv[sys.argv.index('-o') + 1], 'w').write('half')\n"
        "sys.stderr.write('boom'); sys.exit(3)\n"
    )
    broken.chmod(0o755)
    monkeypatch.setattr(viz, "find_renderer", lambda: str(broken))
    target = tmp_path / "g.svg"
    target.write_text("old")
    with pytest.raises(RuntimeError, match=r"exit 3.*boom"):
        render(Value(1.0), target)
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["broken-dot", "g.svg"]


def test_render_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"graph_or_root.*int"):
        render(3, tmp_path / "a.svg")
    with pytest.raises(TypeError, match=r"path.*int"):
        render(Value(1.0), 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"format.*'txtx'"):
        render(Value(1.0), tmp_path / "a.txtx")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render(Value(1.0), tmp_path / "missing" / "a.svg")


def test_no_renderer_says_how_to_install(tmp_path: Path, no_renderer: None) -> None:
    g = draw_dot(Value(1.0))
    for call in (lambda: render(g, tmp_path / "a.svg"), lambda: to_svg(g), g._repr_mimebundle_):
        with pytest.raises(RuntimeError, match=r'pip install "micrograd-tips\[viz\]".*Graphviz'):
            call()
    assert not (tmp_path / "a.svg").exists()


def test_system_dot_is_preferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: f"/opt/bin/{name}")
    assert find_renderer() == "/opt/bin/dot"


@needs_pure
def test_graphviz_pure_found_next_to_python_when_not_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        shutil, "which", lambda name, path=None, **k: None if path is None else _REAL_WHICH(name, path=path)
    )
    assert Path(find_renderer()).name.startswith("graphviz-pure")


@needs_pure
def test_notebook_display_without_system_dot(pure_only: None) -> None:
    _, _, y = small_graph()
    g = draw_dot(y)
    assert isinstance(g, graphviz.Digraph)
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "relu" in _svg_texts(str(bundle["image/svg+xml"]))
    png = g._repr_mimebundle_(include=["image/png"])
    assert bytes(png["image/png"])[:4] == b"\x89PNG"
    assert g._repr_mimebundle_(include=["image/svg+xml"], exclude=["image/svg+xml"]) == {}


# ---------------------------------------------------------------------------------------------
# The graph object's own render(), view() and pipe(), as in micrograd's notebook
# ---------------------------------------------------------------------------------------------


@needs_pure
def test_graph_render_method_without_system_dot(tmp_path: Path, pure_only: None) -> None:
    """micrograd's ``draw_dot(root).render('gout')``: the source in gout, the image in gout.svg."""
    _, _, y = small_graph()
    out = draw_dot(y).render(str(tmp_path / "gout"))
    assert out == str(tmp_path / "gout.svg")
    assert "relu" in _svg_texts((tmp_path / "gout.svg").read_text("utf-8"))
    assert (tmp_path / "gout").read_text("utf-8") == draw_dot(y).source
    png = draw_dot(y).render("g", directory=tmp_path, format="png", cleanup=True)
    assert Path(png).read_bytes()[:4] == b"\x89PNG" and not (tmp_path / "g").exists()
    named = draw_dot(y).render(outfile=tmp_path / "named.svg")
    assert named == str(tmp_path / "named.svg") and Path(named).exists()
    assert (tmp_path / "named.gv").exists()  # the source beside the image, not in the working folder


@needs_pure
def test_graph_pipe_and_view_without_system_dot(
    tmp_path: Path, pure_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, y = small_graph()
    g = draw_dot(y)
    assert "relu" in _svg_texts(g.pipe(encoding="utf-8"))  # type: ignore[arg-type]
    assert bytes(g.pipe(format="png"))[:4] == b"\x89PNG"
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(
        DotGraph, "_view", lambda self, path, format, quiet: opened.append((str(path), format))
    )
    shown = g.view(str(tmp_path / "v"))
    assert opened == [(shown, "svg")] and Path(shown).exists()
    with pytest.raises(TypeError, match=r"renderer.*cairo"):
        g.pipe(format="png", renderer="cairo")


def test_graph_render_method_prefers_system_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a `dot` on PATH the graphviz library's own rendering runs (here: a stub that records it)."""
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: "/usr/bin/dot" if name == "dot" else None)
    monkeypatch.setattr(graphviz.Digraph, "render", lambda self, *a, **k: calls.append(a) or "done")
    monkeypatch.setattr(graphviz.Digraph, "pipe", lambda self, *a, **k: b"piped")
    g = draw_dot(Value(1.0))
    assert g.render("x", tmp_path) == "done" and calls
    assert g.pipe() == b"piped"
