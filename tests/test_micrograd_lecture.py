"""Code written for micrograd runs on micrograd_tips with only its import lines changed (issue 9).

The scripts in `tests/micrograd_scripts/` are written here in the style of the micrograd lecture
notebook ("the spelled-out intro to neural networks and backpropagation"), of micrograd's demo
notebook and of micrograd's engine tests; cells are marked ``# %% [name]`` and run one by one in
one namespace, as a notebook would. Scripts written for the micrograd package keep micrograd's
import lines; `swap_imports` changes exactly those lines, and nothing else, to micrograd_tips.
The lecture's scripts stand where the notebook defines its own `Value`/`draw_dot`: those cells
are the import lines of micrograd_tips.

Oracles: closed forms, central finite differences (float64), PyTorch float64
(`pytest.importorskip("torch")`) and micrograd 0.1.0 itself, run on the same text from the same
initial weights (`pytest.importorskip("micrograd")`).
"""

from __future__ import annotations

import html
import math
import os
import random
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import viz
from micrograd_tips.engine import Value

SCRIPTS = Path(__file__).with_name("micrograd_scripts")

# The only lines that change: micrograd's imports → micrograd_tips's.
IMPORT_SWAP = {
    "from micrograd.engine import Value": "from micrograd_tips.engine import Value",
    "from micrograd.nn import Neuron, Layer, MLP": "from micrograd_tips.nn import Neuron, Layer, MLP",
}
MICROGRAD_SCRIPTS = ("micrograd_nn", "micrograd_demo", "micrograd_test_engine")
LECTURE_SCRIPTS = (
    "lecture_derivatives",
    "lecture_neuron",
    "lecture_value_subclass",
    "lecture_draw",
    "lecture_mlp",
)
_CELL = re.compile(r"# %% \[(\w+)\]")


def swap_imports(source: str) -> str:
    """micrograd code → micrograd_tips code: replace the import lines of `IMPORT_SWAP`, only those."""
    return "".join(
        IMPORT_SWAP.get(line.rstrip("\n"), line.rstrip("\n")) + "\n" for line in source.splitlines()
    )


class Notebook:
    """A script's cells, run one at a time in one namespace (`lib`: which library it imports)."""

    def __init__(self, name: str, lib: str = "micrograd_tips") -> None:
        if lib == "micrograd":
            pytest.importorskip("micrograd")
        self.path = SCRIPTS / f"{name}.py"
        source = self.path.read_text(encoding="utf-8")
        if lib == "micrograd_tips":
            source = swap_imports(source)
        lines = source.splitlines(keepends=True)
        starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _CELL.match(line))]
        self.cells: dict[str, str] = {}
        for k, (i, cell) in enumerate(starts):
            end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
            self.cells[cell] = "\n" * i + "".join(lines[i:end])  # keep the script's line numbers
        self.ns: dict[str, Any] = {"__name__": f"micrograd_scripts.{name}"}

    def run(self, *cells: str) -> Notebook:
        for cell in cells or tuple(self.cells):
            exec(compile(self.cells[cell], str(self.path), "exec"), self.ns)
        return self

    def __getitem__(self, name: str) -> Any:
        return self.ns[name]


@pytest.fixture(autouse=True)
def _keep_global_random_state() -> Iterator[None]:
    """The scripts seed `random` and `numpy.random` as notebooks do; other tests keep their state."""
    state = random.getstate()
    np = pytest.importorskip("numpy")
    np_state = np.random.get_state()
    yield
    random.setstate(state)
    np.random.set_state(np_state)


def copy_weights(ours: list[Any], theirs: list[Any]) -> None:
    """micrograd's initial weights into our model: p.data = q.data over the parameters."""
    assert len(ours) == len(theirs)
    for p, q in zip(ours, theirs):
        p.data = q.data


def close(a: float, b: float, rel: float = 1e-12, abs_: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def central_difference(f: Callable[[], float], v: Any, h: float = 1e-6) -> float:
    """∂f/∂v by (f(v + h) − f(v − h)) / 2h, moving v.data in place."""
    x = v.data
    v.data = x + h
    up = f()
    v.data = x - h
    down = f()
    v.data = x
    return (up - down) / (2 * h)


# ---------------------------------------------------------------------------------------------
# The swap itself
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MICROGRAD_SCRIPTS + LECTURE_SCRIPTS)
def test_only_import_lines_change(name: str) -> None:
    original = (SCRIPTS / f"{name}.py").read_text(encoding="utf-8").splitlines()
    swapped = swap_imports("\n".join(original)).splitlines()
    assert len(swapped) == len(original)
    changed = [(a, b) for a, b in zip(original, swapped) if a != b]
    assert all(a in IMPORT_SWAP and IMPORT_SWAP[a] == b for a, b in changed)
    assert bool(changed) == (name in MICROGRAD_SCRIPTS)  # lecture scripts import ours already
    assert not any(re.match(r"\s*(from|import) micrograd\b(?!_)", line) for line in swapped)


# ---------------------------------------------------------------------------------------------
# 1. The lecture's first cells: derivatives by hand, L = (a·b + c)·f
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def derivatives() -> Notebook:
    return Notebook("lecture_derivatives").run()


def test_slopes_by_the_definition_match_the_closed_forms(derivatives: Notebook) -> None:
    nb = derivatives
    assert nb["f_at_3"] == 17.0  # 3·9 − 12 + 2
    assert nb["slope_at_3"] == pytest.approx(6 * 3.0 - 4, abs=1e-4)  # f′(x) = 6x − 4
    assert nb["slope_at_two_thirds"] == pytest.approx(0.0, abs=1e-4)
    assert nb["slope_a"] == pytest.approx(-3.0, abs=1e-6)  # ∂(ab + c)/∂a = b
    assert nb["slope_b"] == pytest.approx(2.0, abs=1e-6)  # = a
    assert nb["slope_c"] == pytest.approx(1.0, abs=1e-6)


def test_the_expression_has_the_lectures_labels_structure_and_value(derivatives: Notebook) -> None:
    nb = derivatives
    assert nb["L_before"] == (2.0 * -3.0 + 10.0) * -2.0 == -8.0
    assert [v.label for v in nb["children_of_d"]] == ["e", "c"]  # _prev: the inputs in operand order
    assert nb["op_of_d"] == "+"
    for name in "abcf":
        leaf = nb[name]
        assert leaf.label == name and leaf._op == "" and len(leaf._prev) == 0
    assert nb["L2"].label == "L" and nb["L2"]._op == "*"


def test_gradients_by_hand_numerically_and_by_backward_agree(derivatives: Notebook) -> None:
    a, b, c, f = 2.0, -3.0, 10.0, -2.0
    d = a * b + c
    closed = {"a": f * b, "b": f * a, "c": f, "d": f, "e": f, "f": d, "L": 1.0}  # ∂L/∂·
    assert derivatives["by_hand"] == closed
    assert derivatives["by_backward"] == closed
    for name, slope in derivatives["numerical"].items():
        assert slope == pytest.approx(closed[name], abs=1e-9), name


def test_nudging_the_leaves_along_the_gradient_increases_L(derivatives: Notebook) -> None:
    # leaf += 0.01 · ∂L/∂leaf, with ∂L/∂(a, b, c, f) = (6, −4, −2, 4)
    a, b, c, f = 2.0 + 0.01 * 6.0, -3.0 + 0.01 * -4.0, 10.0 + 0.01 * -2.0, -2.0 + 0.01 * 4.0
    expected = (a * b + c) * f
    assert derivatives["L_after"] == pytest.approx(expected, rel=1e-15)
    assert derivatives["L_after"] > derivatives["L_before"]
    # first order: ΔL ≈ 0.01·|∇L|² = 0.72
    assert derivatives["L_after"] - derivatives["L_before"] == pytest.approx(0.72, abs=0.02)


def test_repr_prints_the_whole_float_like_micrograd() -> None:
    s = Value(0.1) + Value(0.2)
    assert repr(s).startswith("Value(data=0.30000000000000004, grad=")
    mg = pytest.importorskip("micrograd.engine")
    theirs = mg.Value(0.1) + mg.Value(0.2)
    assert repr(s).split(", grad=")[0] == repr(theirs).split(", grad=")[0]
    # micrograd's grads start as the int 0 (and its root's as the int 1): it prints grad=0 where
    # we print grad=0.0; the data, which the lecture prints, is the same text.


# ---------------------------------------------------------------------------------------------
# 2. The neuron: backprop by hand, node by node, by topological order, by backward()
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def neuron() -> Notebook:
    nb = Notebook("lecture_neuron")
    return nb.run(*[cell for cell in nb.cells if cell != "torch"])


def test_manual_backprop_node_by_node_equals_backward(neuron: Notebook) -> None:
    nb = neuron
    assert nb["by_nodes"] == nb["by_topo"] == nb["by_backward"]
    assert nb["by_hand"] == pytest.approx(nb["by_backward"], rel=1e-15, abs=1e-15)
    # closed form: o = tanh(x1·w1 + x2·w2 + b), ∂o/∂n = 1 − o²
    x1, x2, w1, w2, b = 2.0, 0.0, -3.0, 1.0, 6.8813735870195432
    o = math.tanh(x1 * w1 + x2 * w2 + b)
    do_dn = 1 - o * o
    grads = dict(zip(["x1", "x2", "w1", "w2", "b", "x1w1", "x2w2", "x1w1x2w2", "n", "o"], nb["by_backward"]))
    expected = {
        "x1": w1 * do_dn,
        "x2": w2 * do_dn,
        "w1": x1 * do_dn,
        "w2": x2 * do_dn,
        "b": do_dn,
        "n": do_dn,
        "o": 1.0,
    }
    for name, value in expected.items():
        assert close(grads[name], value), name
    assert close(o, 2**-0.5) and close(do_dn, 0.5)


def test_the_lectures_topological_sort_lists_inputs_first(neuron: Notebook) -> None:
    topo = neuron["topo"]
    assert len(topo) == 10 and topo[-1] is neuron["nodes"][-1]
    position = {id(v): i for i, v in enumerate(topo)}
    assert all(position[id(child)] < position[id(v)] for v in topo for child in v._prev)


def test_a_second_backward_on_the_same_graph_follows_pytorch() -> None:
    """By design (issue 9: PyTorch's semantics) leaves accumulate, intermediate nodes do not:
    a second `backward()` on one graph doubles every leaf's gradient, as PyTorch with
    retain_graph does. micrograd 0.1.0 also re-accumulates the intermediate nodes, so its leaves
    then hold more than twice the gradient; a lecture cell that calls backward() twice on one
    graph prints other numbers on micrograd_tips (the training loops build a new graph per step
    and agree: see test_micrograd_nn_matches_micrograd_from_the_same_weights)."""
    torch = pytest.importorskip("torch")
    x = Value(-0.5)
    y = ((x * 3 + 1).tanh() * x).exp() * x
    y.backward()
    once = x.grad
    y.backward()
    t = torch.tensor([-0.5], dtype=torch.float64, requires_grad=True)
    yt = ((t * 3 + 1).tanh() * t).exp() * t
    yt.backward(retain_graph=True)
    yt.backward()
    assert x.grad == 2 * once
    assert close(x.grad, t.grad.item())


def test_gradients_add_up_where_a_variable_is_used_twice(neuron: Notebook) -> None:
    assert neuron["grad_a_plus_a"] == 2.0
    a, b = -2.0, 3.0  # f = (a·b)(a + b)
    assert neuron["grads_f"] == (b * (a + b) + a * b, a * (a + b) + a * b)


def test_the_operator_forms(neuron: Notebook) -> None:
    a, b = 2.0, 4.0
    expected = {
        "a + 1": a + 1, "1 + a": 1 + a, "2 * a": 2 * a, "a * 2": a * 2, "a / b": a / b, "2 / a": 2 / a,
        "a - b": a - b, "3 - a": 3 - a, "-a": -a, "a ** 2": a**2, "a ** -1": 1 / a, "a.exp()": math.exp(a),
    }  # fmt: skip
    assert neuron["forms_data"] == pytest.approx(expected, rel=1e-15)
    # the gradient of their sum, against the closed form
    forms = neuron["forms"]
    total = sum(forms.values())
    total.backward()
    leaf_a = forms["a + 1"]._prev[0]
    leaf_b = forms["a / b"]._prev[1]
    da = 1 + 1 + 2 + 2 + 1 / b - 2 / a**2 + 1 - 1 - 1 + 2 * a - 1 / a**2 + math.exp(a)
    db = -a / b**2 - 1
    assert close(leaf_a.grad, da) and close(leaf_b.grad, db)


def test_tanh_written_with_exp_gives_the_same_numbers(neuron: Notebook) -> None:
    leaves = neuron["by_backward"][:5]
    assert neuron["exp_version"] == pytest.approx(leaves, rel=1e-12, abs=1e-12)
    assert close(neuron["exp_version_o"], math.tanh(2.0 * -3.0 + 6.8813735870195432))


def test_the_lectures_pytorch_cell_agrees() -> None:
    pytest.importorskip("torch")
    nb = Notebook("lecture_neuron").run("imports", "torch")
    # torch.Tensor([...]) is float32 before .double(): b is rounded (the lecture prints
    # 0.7071066904050358, not 0.7071067811865476). Our neuron on the same numbers:
    x1, x2, w1, w2, b = (Value(t.item()) for t in (nb["x1"], nb["x2"], nb["w1"], nb["w2"], nb["b"]))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert close(nb["torch_o"], o.data)
    assert nb["torch_grads"] == pytest.approx([v.grad for v in (x1, x2, w1, w2, b)], rel=1e-12, abs=1e-12)
    assert close(o.data, math.tanh(2.0 * -3.0 + nb["b"].item()))


# ---------------------------------------------------------------------------------------------
# 3. Ops written micrograd's way: a `_backward` closure, in a subclass and in a function
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def subclass() -> Notebook:
    return Notebook("lecture_value_subclass").run()


def test_a_subclass_op_backprops_inside_backward(subclass: Notebook) -> None:
    assert subclass["subclass_types"][:2] == ("ValueExt", "ValueExt")
    x, y = 0.7, -1.3
    t = math.tanh(x * y)
    z = math.sin(x) * math.cos(y) + t * x - y**2
    dz_dx = math.cos(x) * math.cos(y) + (1 - t * t) * y * x + t
    dz_dy = -math.sin(x) * math.sin(y) + (1 - t * t) * x * x - 2 * y
    got = subclass["subclass_result"]
    assert close(got[0], z) and close(got[1], dz_dx) and close(got[2], dz_dy)


def test_the_lectures_closure_tanh_equals_the_built_in_one(subclass: Notebook) -> None:
    assert subclass["closure_tanh_grads"] == pytest.approx(
        subclass["builtin_tanh_grads"], rel=1e-12, abs=1e-12
    )


def test_an_op_written_as_a_function_backprops_automatically_and_by_hand(subclass: Notebook) -> None:
    u = 0.4
    w = math.log1p(math.exp(3 * u)) + u
    dw_du = 3 / (1 + math.exp(-3 * u)) + 1.0  # 3·σ(3u) + relu′(u)
    assert close(subclass["function_result"][0], w) and close(subclass["function_result"][1], dw_du)
    assert subclass["manual_result"] == subclass["function_result"]


def test_an_op_with_no_local_derivative_is_a_clear_error() -> None:
    x = Value(1.5)
    out = Value(x.data**3, (x,), "cube")  # micrograd's way, but the closure was forgotten
    with pytest.raises(NotImplementedError, match=r"'cube'.*define_unary"):
        out.backward()


# ---------------------------------------------------------------------------------------------
# 4. Drawing: draw_dot(root).render()/.pipe() without a system `dot`; the lecture's own drawing
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_system_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """PATH without any `dot` binary, in a scratch folder; graphviz-pure must be installed."""
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and not Path(d, "dot").exists()]
    monkeypatch.setenv("PATH", os.pathsep.join(kept))
    assert shutil.which("dot") is None
    try:
        viz.find_renderer()
    except Exception:  # any failure to find a renderer means: nothing to test
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.chdir(tmp_path)
    return tmp_path


_DOT_NODE = re.compile(r'^\t("?)(?!(?:graph|node|edge) )([^"\s]+)\1 \[(.*)\]$')
_DOT_EDGE = re.compile(r'^\t("?)([^"\s]+)\1 -> ("?)([^"\s]+)\3')


def dot_nodes_and_edges(source: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    nodes = {m.group(2): m.group(3) for line in source.splitlines() if (m := _DOT_NODE.match(line))}
    edges = [(m.group(2), m.group(4)) for line in source.splitlines() if (m := _DOT_EDGE.match(line))]
    return nodes, edges


def all_nodes(root: Value) -> list[Value]:
    seen: dict[int, Value] = {}
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) not in seen:
            seen[id(v)] = v
            stack.extend(v._prev)
    return list(seen.values())


def test_draw_dot_render_and_pipe_work_without_a_system_dot(no_system_dot: Path) -> None:
    nb = Notebook("lecture_draw").run("imports", "expression", "draw")
    assert nb["rendered"].replace(os.sep, "/") == "gout.svg"
    assert (no_system_dot / "gout").read_text(encoding="utf-8").startswith("digraph")
    image = (no_system_dot / "gout.svg").read_text(encoding="utf-8")
    assert "<svg" in image and "</svg>" in image
    assert isinstance(nb["svg"], bytes) and b"<svg" in nb["svg"]
    inline = nb["dot"]._repr_mimebundle_()  # what a notebook cell ending in `draw_dot(L)` shows
    assert "<svg" in inline["image/svg+xml"]
    for svg in (image, nb["svg"].decode("utf-8")):
        texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
        # the records of a = 2 (∂L/∂a = 6), b = −3 (∂L/∂b = −4) and L = −8, and the op bubbles
        assert {"a", "data 2", "grad 6", "b", "data -3", "grad -4", "L", "data -8", "*", "+"} <= texts


def test_op_bubbles_only_for_op_results_in_our_drawing() -> None:
    nb = Notebook("lecture_draw").run("imports", "neuron")
    out = nb["out"]
    graph = all_nodes(out)
    leaves = [v for v in graph if not v._prev]
    roles = {v._role for v in leaves}
    assert {"param", "const"} <= roles  # weights/bias and the constants 2 and 1 are there
    assert all(v._op == "" for v in leaves)
    nodes, _edges = dot_nodes_and_edges(nb["neuron_dot"].source)
    bubbles = [name for name in nodes if name.endswith("_op")]
    assert len(bubbles) == len(graph) - len(leaves)


def test_the_lectures_drawing_code_draws_no_bubble_for_a_leaf() -> None:
    nb = Notebook("lecture_draw").run("imports", "expression", "neuron", "lecture")
    for root, graph in ((nb["L"], nb["lecture_L"]), (nb["out"], nb["lecture_neuron"])):
        values = all_nodes(root)
        ops = [v for v in values if v._prev]
        nodes, edges = dot_nodes_and_edges(graph.source)
        value_names = {str(id(v)) for v in values}
        bubbles = [name for name in nodes if name not in value_names]
        assert len(bubbles) == len(ops)  # one bubble per op result; leaves (params, constants) none
        assert sorted(bubbles) == sorted(str(id(v)) + v._op for v in ops)
        assert all(target in nodes for _, target in edges)  # every edge ends at a drawn node


# ---------------------------------------------------------------------------------------------
# 5. micrograd's nn and the lecture's own small library
# ---------------------------------------------------------------------------------------------


def test_micrograd_nn_units_neurons_w_b_and_parameter_count() -> None:
    nb = Notebook("micrograd_nn").run("imports", "units", "model")
    neuron, x = nb["neuron"], nb["x"]
    assert len(neuron.w) == 2 and neuron.b.data == 0.0
    assert close(nb["act"].data, sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data)
    neurons = nb["layer_neurons"]
    assert len(neurons) == 3 and len(nb["layer_params"]) == 9
    for j, o in enumerate(nb["outs"]):
        z = sum(w.data * xi for w, xi in zip(neurons[j].w, x)) + neurons[j].b.data
        assert close(o.data, max(0.0, z))
    assert [p for nrn in neurons for p in (*nrn.w, nrn.b)] == nb["layer_params"]
    assert nb["n_params"] == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1


def test_micrograd_nn_training_decreases_the_loss_and_its_gradient_is_exact() -> None:
    nb = Notebook("micrograd_nn").run("imports", "units", "model")
    n, xs, ys = nb["n"], nb["xs"], nb["ys"]

    def loss() -> Value:
        return sum((n(x) - y) ** 2 for x, y in zip(xs, ys))

    total = loss()
    total.backward()
    for p in n.parameters()[::7]:
        assert p.grad == pytest.approx(central_difference(lambda: loss().data, p), rel=1e-6, abs=1e-8)
    nb.run("train")
    losses = nb["losses"]
    assert losses[0] == pytest.approx(total.data, rel=1e-15)
    assert losses[-1] < losses[0]


def test_micrograd_nn_matches_micrograd_from_the_same_weights() -> None:
    theirs = Notebook("micrograd_nn", "micrograd").run("imports", "units", "model")
    ours = Notebook("micrograd_nn").run("imports", "units", "model")
    assert ours["n_params"] == theirs["n_params"] == len(theirs["n"].parameters())
    copy_weights(ours["n"].parameters(), theirs["n"].parameters())
    ours.run("train", "train_no_zero")
    theirs.run("train", "train_no_zero")
    for name in ("losses", "final_pred", "last_grads", "stale_losses"):
        assert ours[name] == pytest.approx(theirs[name], rel=1e-12, abs=1e-12), name


def test_random_seed_draws_micrographs_weights() -> None:
    theirs = Notebook("micrograd_nn", "micrograd").run("imports", "units", "model")
    ours = Notebook("micrograd_nn").run("imports", "units", "model")
    for name, model in (("neuron", "neuron"), ("n", "n")):
        assert [p.data for p in ours[model].parameters()] == [p.data for p in theirs[model].parameters()], (
            name
        )
    assert ours["act"].data == theirs["act"].data
    assert [o.data for o in ours["outs"]] == [o.data for o in theirs["outs"]]


def test_the_lectures_own_mlp_on_value_trains() -> None:
    nb = Notebook("lecture_mlp").run()
    assert nb["n_params"] == 41
    assert nb["losses"][-1] < 0.1 * nb["losses"][0]
    assert all((p > 0) == (y > 0) for p, y in zip(nb["final_pred"], nb["ys"]))
    # the first gradient against central differences
    check = Notebook("lecture_mlp").run("imports", "classes", "data")
    n, xs, ys = check["n"], check["xs"], check["ys"]

    def loss() -> float:
        return sum((n(x) - y) ** 2 for x, y in zip(xs, ys)).data

    params = n.parameters()
    for i in range(0, len(params), 5):
        assert nb["first_grads"][i] == pytest.approx(central_difference(loss, params[i]), rel=1e-6, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# 6. micrograd's demo: moons, MLP(2, [16, 16, 1]), SVM loss + L2, step by step against micrograd
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_micrograd_demo_matches_micrograd_at_every_step() -> None:
    pytest.importorskip("sklearn")
    theirs = Notebook("micrograd_demo", "micrograd").run("imports", "data")
    ours = Notebook("micrograd_demo").run("imports", "data")
    assert (ours["X"] == theirs["X"]).all() and (ours["y"] == theirs["y"]).all()
    assert ours["n_params"] == theirs["n_params"] == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    copy_weights(ours["model"].parameters(), theirs["model"].parameters())
    for nb in (ours, theirs):
        nb.run("loss", "optimisation", "boundary")
    for k, ((loss, acc), (loss_mg, acc_mg)) in enumerate(
        zip(ours["history"], theirs["history"], strict=True)
    ):
        assert close(loss, loss_mg) and close(acc, acc_mg), k
    assert ours["history"][-1][0] < ours["history"][0][0]
    assert (ours["Z"] == theirs["Z"]).all()
    assert [p.data for p in ours["model"].parameters()] == pytest.approx(
        [q.data for q in theirs["model"].parameters()], rel=1e-12, abs=1e-12
    )


# ---------------------------------------------------------------------------------------------
# 7. micrograd's engine tests: against PyTorch float64 and micrograd 0.1.0
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine_tests() -> tuple[Notebook, Notebook | None]:
    ours = Notebook("micrograd_test_engine").run()
    try:
        theirs = Notebook("micrograd_test_engine", "micrograd").run()
    except pytest.skip.Exception:
        theirs = None
    return ours, theirs


def torch_leaves(*xs: float) -> list[Any]:
    torch = pytest.importorskip("torch")
    return [torch.tensor([x], dtype=torch.float64, requires_grad=True) for x in xs]


def torch_result(expression: Callable[..., Any], *xs: float) -> tuple[float, ...]:
    leaves = torch_leaves(*xs)
    out = expression(*leaves)
    out.backward()
    return (out.item(), *(t.grad.item() for t in leaves))


CASES = {
    "sanity_check": "sanity_expression",
    "more_ops": "more_ops_expression",
    "division": "division_expression",
}
DEFAULTS = {"sanity_check": (-4.0,), "more_ops": (-4.0, 2.0), "division": (1.5, -0.5)}


@pytest.mark.parametrize("case", list(CASES))
def test_engine_cases_at_micrograds_points(engine_tests: tuple[Notebook, Notebook | None], case: str) -> None:
    ours, theirs = engine_tests
    got = ours[case]()
    assert got == pytest.approx(torch_result(ours[CASES[case]], *DEFAULTS[case]), rel=1e-12, abs=1e-12)
    if theirs is not None:
        assert got == pytest.approx(theirs[case](), rel=1e-12, abs=1e-12)


point = st.floats(-3.0, 3.0, allow_nan=False).filter(lambda v: abs(v) > 0.05)


@settings(max_examples=25, deadline=None)
@given(x=point, a=point, b=point)
def test_engine_cases_at_random_points(
    engine_tests: tuple[Notebook, Notebook | None], x: float, a: float, b: float
) -> None:
    ours, theirs = engine_tests
    for case, args in (("sanity_check", (x,)), ("more_ops", (a, b)), ("division", (a, b))):
        got = ours[case](*args)
        assert got == pytest.approx(torch_result(ours[CASES[case]], *args), rel=1e-9, abs=1e-9), case
        if theirs is not None:
            assert got == pytest.approx(theirs[case](*args), rel=1e-9, abs=1e-9), case
