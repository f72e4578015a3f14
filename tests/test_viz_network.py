"""Tests for `viz.draw_network`: the lecture's network pictures checked against independent sums.

Every expected set is computed here from the model's weights with plain Python loops (z = Σ w·a + b,
argmax by hand, the masks as given), never by the drawing code; structure is read back from the
DOT text with a small reader that does not use viz.py.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import sum_of
from micrograd_tips.maxout import Maxout
from micrograd_tips.nn import MLP, Linear, Sequential
from micrograd_tips.tensor import nn as tnn
from micrograd_tips.viz import (
    DotGraph,
    draw_network,
    find_renderer,
    gradient_color,
    render,
    save_network_figure,
)

_REAL_WHICH = shutil.which
HAVE_PURE = bool(
    _REAL_WHICH("graphviz-pure") or _REAL_WHICH("graphviz-pure", path=os.path.dirname(sys.executable))
)
needs_pure = pytest.mark.skipif(not HAVE_PURE, reason="graphviz-pure is not installed")
SVG_NS = "{http://www.w3.org/2000/svg}"

# ---------------------------------------------------------------------------------------------
# Reading the DOT text (independent of viz.py)
# ---------------------------------------------------------------------------------------------

_NODE = re.compile(r"^\t+(\w+) \[(.*)\]$", re.M)
_EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')
_NEURON = re.compile(r"^L(\d+)_(\d+)$")


def _attrs(text: str | None) -> dict[str, str]:
    return {k: (v[1:-1] if v.startswith('"') else v) for k, v in _ATTR.findall(text or "")}


def parse(source: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    nodes = {n: _attrs(a) for n, a in _NODE.findall(source) if n not in ("graph", "node", "edge")}
    edges = [(a, b, _attrs(at)) for a, b, at in _EDGE.findall(source)]
    return nodes, edges


def neurons(source: str) -> dict[tuple[int, int], dict[str, str]]:
    """(layer, neuron) → attributes of every neuron circle drawn."""
    out = {}
    for name, attrs in parse(source)[0].items():
        m = _NEURON.match(name)
        if m:
            out[(int(m.group(1)), int(m.group(2)))] = attrs
    return out


def visible_edges(source: str) -> list[tuple[str, str, dict[str, str]]]:
    return [e for e in parse(source)[1] if e[2].get("style") != "invis"]


def switched_off_in_source(source: str) -> set[tuple[int, int]]:
    return {k for k, a in neurons(source).items() if "dashed" in a.get("style", "")}


# ---------------------------------------------------------------------------------------------
# Independent forward passes from the state dict (plain Python)
# ---------------------------------------------------------------------------------------------


def as_lists(state: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in state.items()}


def mlp_oracle(
    model: Any, x: list[float], relu_hidden: bool = True
) -> tuple[set[tuple[int, int]], list[float]]:
    """The neurons with z ≤ 0 in the ReLU hidden layers (layer index from 1), and the output."""
    state = as_lists(model.state_dict())
    n_layers = len(model.layers)
    a = list(x)
    off = set()
    for k in range(n_layers):
        W, b = state[f"layers.{k}.weight"], state[f"layers.{k}.bias"]
        z = [sum(w * ai for w, ai in zip(row, a)) + bj for row, bj in zip(W, b)]
        if k < n_layers - 1 and relu_hidden:
            off |= {(k + 1, j) for j, zj in enumerate(z) if zj <= 0.0}
            a = [max(0.0, zj) for zj in z]
        else:
            a = z
    return off, a


def maxout_oracle(
    layers: list[Any], x: list[float]
) -> tuple[dict[tuple[int, int], int], set[tuple[int, int]]]:
    """Winning piece of each unit (zero piece first, lowest index on a tie) and the units it switches off."""
    a = list(x)
    winners: dict[tuple[int, int], int] = {}
    off = set()
    for li, layer in enumerate(layers, start=1):
        state = as_lists(layer.state_dict())
        W, B = state["weight"], state["bias"]
        if not hasattr(layer, "zero_piece"):  # the final Linear
            a = [sum(w * ai for w, ai in zip(row, a)) + bj for row, bj in zip(W, B)]
            continue
        nxt = []
        for j, (pieces, biases) in enumerate(zip(W, B)):
            z = [sum(w * ai for w, ai in zip(row, a)) + bk for row, bk in zip(pieces, biases)]
            if layer.zero_piece:
                z = [0.0, *z]
            best = 0
            for k in range(1, len(z)):
                if z[k] > z[best]:
                    best = k
            winners[(li, j)] = best
            if layer.zero_piece and best == 0:
                off.add((li, j))
            nxt.append(z[best])
        a = nxt
    return winners, off


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_one_circle_per_neuron_and_full_edges_between_layers() -> None:
    model = MLP(3, [5, 4, 2], seed=0)
    g = draw_network(model)
    assert isinstance(g, DotGraph) and g.layer_sizes == (3, 5, 4, 2)
    drawn = neurons(g.source)
    for layer, width in enumerate((3, 5, 4, 2)):
        assert sorted(j for l, j in drawn if l == layer) == list(range(width))
    edges = visible_edges(g.source)
    for layer, (nin, nout) in enumerate(((3, 5), (5, 4), (4, 2)), start=1):
        between = [
            (a, b) for a, b, _ in edges if a.startswith(f"L{layer - 1}_") and b.startswith(f"L{layer}_")
        ]
        assert len(between) == nin * nout == len(set(between))
    assert g.inactive == frozenset() and g.values == {}  # no example: nothing switched off
    assert "layer 2: relu" in g.source and "layer 3: linear" in g.source


def test_wide_layers_show_at_most_n_neurons_and_an_ellipsis() -> None:
    model = tnn.MLP(30, [20, 3], seed=1)
    g = draw_network(model, max_per_layer=6)
    drawn = neurons(g.source)
    assert [len([1 for l, _ in drawn if l == layer]) for layer in range(3)] == [6, 6, 3]
    nodes = parse(g.source)[0]
    assert nodes["L0_more"]["label"] == "… 24 more" and nodes["L1_more"]["label"] == "… 14 more"
    assert "L2_more" not in nodes
    assert g.layer_sizes == (30, 20, 3)
    assert len([e for e in visible_edges(g.source) if e[0].startswith("L0_")]) == 6 * 6


def test_sequential_with_an_activation_module_and_a_list_of_modules() -> None:
    from micrograd_tips.activations import ReLU

    lin = Linear(2, 3, seed=4)
    seq = Sequential(lin, ReLU(), Linear(3, 1, seed=5))
    x = [0.7, -0.4]
    g = draw_network(seq, x)
    z = [
        sum(w * xi for w, xi in zip(row, x)) + b
        for row, b in zip(lin.state_dict()["weight"], lin.state_dict()["bias"])
    ]
    assert g.inactive == {(1, j) for j, zj in enumerate(z) if zj <= 0.0}
    assert "layer 1: relu" in g.source
    assert draw_network([lin, Linear(3, 1, seed=5)]).layer_sizes == (2, 3, 1)


# ---------------------------------------------------------------------------------------------
# A2: ReLU's switched-off neurons
# ---------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    x=st.lists(st.floats(-3, 3, allow_nan=False), min_size=3, max_size=3),
    tensor=st.booleans(),
)
def test_inactive_set_is_the_neurons_with_z_at_most_zero(seed: int, x: list[float], tensor: bool) -> None:
    model = (tnn if tensor else __import__("micrograd_tips.nn", fromlist=["MLP"])).MLP(
        3, [6, 5, 2], seed=seed
    )
    g = draw_network(model, x)
    expected, out = mlp_oracle(model, x)
    assert g.inactive == expected
    assert switched_off_in_source(g.source) == expected
    assert [g.values[(3, j)] for j in range(2)] == pytest.approx(out, abs=1e-12)
    for l, j in expected:
        assert g.values[(l, j)] == 0.0


def test_both_backends_draw_the_same_thin_network() -> None:
    x = [0.3, -1.2, 0.8]
    scalar = MLP(3, [8, 8, 1], seed=11)
    numpy = tnn.MLP(3, [8, 8, 1], seed=11)
    numpy.load_state_dict(scalar.state_dict())
    a, b = draw_network(scalar, x), draw_network(numpy, np.array(x))
    assert a.inactive == b.inactive and a.inactive
    assert a.source == b.source


def test_switched_off_neurons_take_their_edges_with_them() -> None:
    model = MLP(3, [6, 1], seed=2)
    x = [1.0, -2.0, 0.5]
    g = draw_network(model, x)
    assert g.inactive
    for a, b, attrs in visible_edges(g.source):
        ends = {tuple(map(int, n[1:].split("_"))) for n in (a, b)}
        assert (attrs.get("style") == "dashed") == bool(ends & g.inactive)


# ---------------------------------------------------------------------------------------------
# A3: Maxout's winners
# ---------------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    x=st.lists(st.floats(-2, 2, allow_nan=False), min_size=2, max_size=2),
    zero=st.booleans(),
)
def test_maxout_winners_are_the_argmax(seed: int, x: list[float], zero: bool) -> None:
    layers = [
        Maxout(2, 3, 3, zero_piece=zero, seed=seed),
        Maxout(3, 2, 2, seed=seed + 1),
        Linear(2, 1, seed=seed + 2),
    ]
    g = draw_network(Sequential(*layers), x)
    winners, off = maxout_oracle(layers, x)
    assert g.winners == winners
    assert g.inactive == off
    nodes = parse(g.source)[0]
    for (l, j), k in winners.items():  # the winning piece is drawn bold, every other piece dashed
        pieces = sorted(n for n in nodes if n.startswith(f"L{l}_{j}_p"))
        assert len(pieces) == (3 if l == 1 else 2)
        for n in pieces:
            assert ("bold" in nodes[n]["style"]) == n.endswith(f"_p{k}")


def test_tensor_maxout_winners_and_relu_like_units() -> None:
    rng = np.random.default_rng(5)
    first = tnn.Maxout.relu_like(4, 6, rng=rng)
    layers = [first, tnn.Maxout(6, 3, 4, rng=rng), tnn.Linear(3, 2, rng=rng)]
    x = rng.normal(size=4)
    g = draw_network(tnn.Sequential(*layers), x)
    winners, off = maxout_oracle(layers, x.tolist())
    assert g.winners == winners and g.inactive == off
    # relu_like is ReLU: the units switched off are those whose learned piece is ≤ 0
    relu = MLP(4, [6, 1], seed=0)
    relu.layers[0].load_state_dict({"weight": first.weight.data[:, 0, :], "bias": first.bias.data[:, 0]})
    assert {j for l, j in off if l == 1} == {j for l, j in draw_network(relu, x).inactive}


# ---------------------------------------------------------------------------------------------
# B3: dropout's dropped neurons
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["scalar", "tensor"])
def test_dropped_neurons_are_the_given_masks(backend: str) -> None:
    make = MLP if backend == "scalar" else tnn.MLP
    model = make(4, [5, 5, 2], seed=3, dropout=0.5, input_dropout=0.2)
    masks = [[1, 0, 1, 1], [0, 1, 1, 0, 1], [1, 1, 0, 0, 0]]
    x = [0.5, -0.2, 0.9, 0.1]
    g = draw_network(model, x, masks=masks)
    expected = {(l, j) for l, mask in enumerate(masks) for j, m in enumerate(mask) if m == 0}
    assert g.dropped == expected
    assert expected <= g.inactive
    nodes = neurons(g.source)
    assert {k for k, a in nodes.items() if a.get("color") == "#cc3333"} == expected
    # what the drawing shows after dropout is the model's own training forward with those masks
    model.train()
    for drop, mask in zip([model.input_dropout, *model.dropouts], masks):
        drop.set_mask(mask)
    out = model(x if backend == "scalar" else np.array(x))
    out = [v.data for v in out] if backend == "scalar" else out.data.tolist()
    assert [g.values[(3, j)] for j in range(2)] == pytest.approx(out, abs=1e-12)
    for l, j in expected:
        assert g.values[(l, j)] == 0.0


def test_default_masks_are_the_last_training_forward() -> None:
    model = MLP(3, [6, 1], seed=8, dropout=0.5)
    model.forward_batch([[0.1, 0.2, 0.3]])
    mask = model.dropouts[0].last_mask
    g = draw_network(model)
    assert g.dropped == {(1, j) for j, m in enumerate(mask) if m == 0}
    model.eval()
    assert draw_network(model).dropped == frozenset()
    assert draw_network(model, masks=[None]).dropped == frozenset()


def test_one_mask_per_example_needs_an_explicit_mask() -> None:
    model = tnn.MLP(3, [4, 1], seed=2, dropout=0.5, dropout_resample="example")
    model.forward_batch(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"masks\[0\].*one per example"):
        draw_network(model)
    assert draw_network(model, masks=[[1, 1, 0, 1]]).dropped == {(1, 2)}


# ---------------------------------------------------------------------------------------------
# A1: gradient flow
# ---------------------------------------------------------------------------------------------


def _luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def deep_net_grads(activation: str, init: str) -> Any:
    model = MLP(6, [6] * 10 + [1], activation, init=init, seed=0)
    rows = [[((i * 3 + j) % 7) / 7 - 0.4 for j in range(6)] for i in range(4)]
    loss = sum_of([(model(r) - 1.0) ** 2 for r in rows])
    loss.backward()
    graph = draw_network(model, grads=True)
    graph.model = model  # type: ignore[attr-defined]
    return model, graph


def test_gradient_magnitude_is_the_mean_abs_weight_gradient() -> None:
    model, g = deep_net_grads("relu", "he")
    for k, layer in enumerate(model.layers, start=1):
        for j, row in enumerate(layer.weight):
            expected = sum(abs(w.grad) for w in row) / len(row)
            assert g.grad_magnitude[(k, j)] == pytest.approx(expected, rel=1e-12)


def test_colour_is_monotone_in_gradient_magnitude() -> None:
    _, g = deep_net_grads("sigmoid", "xavier")
    nodes = neurons(g.source)
    pairs = sorted((g.grad_magnitude[k], _luminance(nodes[k]["fillcolor"])) for k in g.grad_magnitude)
    assert len({m for m, _ in pairs}) > 30
    for (_m1, l1), (_m2, l2) in itertools.pairwise(pairs):
        assert l2 <= l1 + 1e-9  # a larger |gradient| is never lighter
    assert pairs[0][1] - pairs[-1][1] > 150  # and the scale spans pale to dark
    ramp = [_luminance(gradient_color(t / 50)) for t in range(51)]
    assert all(b < a for a, b in itertools.pairwise(ramp))  # strictly darker along the whole ramp


def test_edge_width_grows_with_gradient() -> None:
    _, g = deep_net_grads("relu", "he")
    model_edges = [e for e in visible_edges(g.source) if e[2].get("style") != "dashed"]
    widths = {}
    for _a, _b, attrs in model_edges:
        widths.setdefault(attrs["color"], set()).add(float(attrs["penwidth"]))
    pairs = sorted((_luminance(c), max(w)) for c, w in widths.items() if c != "#d9d9d9")
    for (_l1, w1), (_l2, w2) in itertools.pairwise(pairs):
        assert w1 >= w2 - 1e-9  # darker (larger gradient) edges are at least as wide


def test_grad_range_gives_two_pictures_one_colour_scale() -> None:
    _, sig = deep_net_grads("sigmoid", "xavier")
    _, relu = deep_net_grads("relu", "he")
    both = [m for g in (sig, relu) for m in g.grad_magnitude.values() if m > 0]
    low, high = min(both), max(both)
    a = draw_network(sig.model, grads=True, grad_range=(low, high))  # type: ignore[attr-defined]
    b = draw_network(relu.model, grads=True, grad_range=(low, high))  # type: ignore[attr-defined]
    pairs = []
    for g in (a, b):
        nodes = neurons(g.source)
        pairs += [(m, _luminance(nodes[key]["fillcolor"])) for key, m in g.grad_magnitude.items() if m > 0]
    pairs.sort()
    assert len(pairs) > 90
    for (_, l1), (_, l2) in itertools.pairwise(pairs):
        assert l2 <= l1  # one scale: never lighter for a larger |gradient|, across both pictures
    clamp = draw_network(sig.model, grads=True, grad_range=(1e-3, 1e-2))  # type: ignore[attr-defined]
    fills = {a["fillcolor"] for a in neurons(clamp.source).values() if "fillcolor" in a}
    assert gradient_color(0.0) in fills and gradient_color(1.0) in fills  # outside: the end colours


def _drawn_layer_means(source: str) -> dict[int, float]:
    """Mean of the gradient values printed in the neuron labels ("g 1.2e-03"), per layer."""
    per: dict[int, list[float]] = {}
    for (layer, _), attrs in neurons(source).items():
        m = re.search(r"g ([0-9.e+-]+)", attrs["label"])
        if m:
            per.setdefault(layer, []).append(float(m.group(1)))
    return {k: sum(v) / len(v) for k, v in per.items()}


def test_sigmoid_gradient_fades_towards_the_input_and_relu_does_not() -> None:
    """Lecture A1 measured on the drawn labels: ten sigmoid layers lose orders of magnitude."""
    _, sig = deep_net_grads("sigmoid", "xavier")
    _, relu = deep_net_grads("relu", "he")
    s, r = _drawn_layer_means(sig.source), _drawn_layer_means(relu.source)
    assert s[1] < 1e-4 * s[10]  # first hidden layer vs the last one
    assert all(s[k] < s[k + 1] for k in range(1, 10))  # fading at every step towards the input
    assert r[1] > 0.1 * r[10]  # ReLU keeps the same order of magnitude
    assert "|∂L/∂w|" in sig.source  # the legend


# ---------------------------------------------------------------------------------------------
# Determinism and rendering
# ---------------------------------------------------------------------------------------------

BUILD = textwrap.dedent(
    """
    import sys
    from micrograd_tips import sum_of
    from micrograd_tips.maxout import Maxout
    from micrograd_tips.nn import MLP, Linear, Sequential
    from micrograd_tips.viz import draw_network

    m = MLP(3, [7, 6, 2], seed=4, dropout=0.5)
    m.forward_batch([[0.1, 0.2, 0.3]])
    loss = sum_of([v * v for v in m([0.3, -0.1, 0.9])])
    loss.backward()
    net = Sequential(Maxout(3, 2, 3, zero_piece=True, seed=1), Linear(2, 1, seed=2))
    sys.stdout.write(draw_network(m, [0.3, -0.1, 0.9], grads=True, max_per_layer=5, title="t").source)
    sys.stdout.write(draw_network(net, [0.2, 0.4, -0.6]).source)
    """
)


def test_same_source_across_processes() -> None:
    outs = set()
    for seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outs.add(
            subprocess.run([sys.executable, "-c", BUILD], capture_output=True, env=env, check=True).stdout
        )
    assert len(outs) == 1
    assert b"L1_more" in outs.pop()


@pytest.fixture
def pure_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "dot" else _REAL_WHICH(name, *a, **k)
    )


@needs_pure
def test_renders_with_graphviz_pure(tmp_path: Path, pure_only: None) -> None:
    assert "graphviz-pure" in Path(find_renderer()).name
    model = MLP(3, [4, 2], seed=5, dropout=0.5)
    x = [0.5, -1.0, 2.0]
    svg = save_network_figure(model, x, tmp_path / "net.svg", masks=[[1, 0, 1, 1]], title="thin")
    texts = [t.text or "" for t in ET.parse(svg).getroot().iter(SVG_NS + "text")]
    for expected in ("thin", "inputs", "x1", "layer 1: relu", "dropped (mask 0)"):
        assert any(expected in t for t in texts), expected
    png = render(draw_network(model, x, masks=[None]), tmp_path / "net.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = draw_network(model).render(str(tmp_path / "gout"))  # the graph object's own method
    assert Path(out).exists()


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((3,), {}, TypeError, r"draw_network\(model\).*int"),
        ((MLP(2, [2]), [1.0]), {}, ValueError, r"draw_network\(x\).*2 real numbers"),
        ((MLP(2, [2]), "ab"), {}, TypeError, r"draw_network\(x\)"),
        ((MLP(2, [2]),), {"grads": 1}, TypeError, r"grads.*int"),
        ((MLP(2, [2]),), {"max_per_layer": 0}, ValueError, r"max_per_layer.*got int 0"),
        ((MLP(2, [2]),), {"masks": [[1, 0]]}, ValueError, r"masks.*0 masks"),
        ((MLP(2, [3, 1], dropout=0.5),), {"masks": [[1, 2, 0]]}, ValueError, r"masks\[0\].*zeros and ones"),
        ((MLP(2, [3, 1], dropout=0.5),), {"masks": [[1, 0]]}, ValueError, r"masks\[0\].*3 zeros"),
        ((MLP(2, [2]),), {"rankdir": "XY"}, ValueError, r"rankdir.*'XY'"),
        ((MLP(2, [2]),), {"title": 3}, TypeError, r"title.*int"),
        ((MLP(2, [2]),), {"grad_range": (1.0,)}, TypeError, r"grad_range.*pair"),
        ((MLP(2, [2]),), {"grad_range": (0.0, 1.0)}, ValueError, r"grad_range\[0\].*> 0"),
        ((MLP(2, [2]),), {"grad_range": (2.0, 1.0)}, ValueError, r"grad_range.*low < high"),
    ],
)
def test_bad_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        draw_network(*args, **kwargs)
