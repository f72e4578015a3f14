"""Module API, state dicts, initialisation, micrograd compatibility and a PyTorch oracle for MLPs."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips.activations import PReLU, ReLU, Sigmoid
from micrograd_tips.dropout import Dropout
from micrograd_tips.engine import Value, sum_of
from micrograd_tips.losses import hinge
from micrograd_tips.maxout import Maxout
from micrograd_tips.nn import MLP, Layer, Linear, Module, Neuron, Sequential


def shape(nested: object) -> tuple[int, ...]:
    out = []
    while isinstance(nested, list):
        out.append(len(nested))
        nested = nested[0]
    return tuple(out)


def shapes(model: Module) -> dict[str, tuple[int, ...]]:
    return {k: shape(v) for k, v in model.state_dict().items()}


# -- state-dict names and shapes (docs/design.md) ---------------------------------------------


def test_state_dict_names_and_shapes_follow_the_design():
    assert shapes(Layer(3, 4, seed=0)) == {"weight": (4, 3), "bias": (4,)}
    assert shapes(Linear(3, 2, seed=0)) == {"weight": (2, 3), "bias": (2,)}
    assert shapes(Neuron(5, seed=0)) == {"weight": (5,), "bias": ()}
    assert shapes(MLP(2, [16, 16, 1], seed=0)) == {
        "layers.0.weight": (16, 2),
        "layers.0.bias": (16,),
        "layers.1.weight": (16, 16),
        "layers.1.bias": (16,),
        "layers.2.weight": (1, 16),
        "layers.2.bias": (1,),
    }
    assert shapes(MLP(2, [3, 1], activation="prelu", seed=0))["layers.0.activation.alpha"] == (3,)
    seq = Sequential(Linear(2, 3, seed=0), PReLU(1), Maxout(3, 2, pieces=3, seed=0), Dropout(0.5))
    assert shapes(seq) == {
        "0.weight": (3, 2),
        "0.bias": (3,),
        "1.alpha": (1,),
        "2.weight": (2, 3, 3),
        "2.bias": (2, 3),
    }


def test_named_parameters_name_single_values_in_micrograd_order():
    layer = Layer(2, 2, seed=0)
    names = [n for n, _ in layer.named_parameters()]
    assert names == ["weight[0][0]", "weight[0][1]", "bias[0]", "weight[1][0]", "weight[1][1]", "bias[1]"]
    (w0, w1), b = layer.weight, layer.bias
    assert layer.parameters() == [w0[0], w0[1], b[0], w1[0], w1[1], b[1]]
    names = [n for n, _ in MLP(2, [3, 1], seed=0).named_parameters()]
    assert names[:3] == ["layers.0.weight[0][0]", "layers.0.weight[0][1]", "layers.0.bias[0]"]
    assert names[-1] == "layers.1.bias[0]" and len(names) == 3 * 3 + 4
    assert all(p._role == "param" for p in MLP(2, [3, 1], seed=0).parameters())


def test_shared_modules_are_counted_once():
    lin = Linear(2, 2, seed=0)
    seq = Sequential(lin, ReLU(), lin)
    assert len(seq.parameters()) == 6
    assert len({id(p) for p in seq.parameters()}) == 6


# -- state-dict round trip and rejection ------------------------------------------------------


def outputs(model: Module, X: list[list[float]]) -> list[float]:
    return [float(y) for y in model.forward_batch(X)]


X3 = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.0]]


def test_state_dict_round_trip_reproduces_outputs():
    a = MLP(3, [4, 4, 1], activation="prelu", seed=1)
    b = MLP(3, [4, 4, 1], activation="prelu", seed=2)
    assert outputs(a, X3) != outputs(b, X3)
    b.load_state_dict(a.state_dict())
    assert outputs(a, X3) == outputs(b, X3)
    assert a.state_dict() == b.state_dict()


def test_load_accepts_arrays_and_tensors():
    np = pytest.importorskip("numpy")
    a, b = MLP(3, [4, 2], seed=1), MLP(3, [4, 2], seed=2)
    b.load_state_dict({k: np.array(v) for k, v in a.state_dict().items()})
    assert b.state_dict() == a.state_dict()
    torch = pytest.importorskip("torch")
    c = MLP(3, [4, 2], seed=3)
    c.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in a.state_dict().items()})
    assert c.state_dict() == a.state_dict()


def corrupted(state: dict, how: str) -> dict:
    bad = {k: v for k, v in state.items()}
    last = list(bad)[-1]
    if how == "missing":
        del bad[last]
    elif how == "unexpected":
        bad["layers.9.weight"] = [[0.0]]
    elif how == "shape":
        bad[last] = bad[last] + [0.0]
    elif how == "transposed":
        bad["layers.1.weight"] = [list(col) for col in zip(*bad["layers.1.weight"])]
    elif how == "ragged":
        bad["layers.1.weight"] = [[1.0, 2.0], [3.0]]
    elif how == "string":
        bad[last] = ["0.5"] * len(bad[last])
    elif how == "bool":
        bad[last] = [True] * len(bad[last])
    return bad


@pytest.mark.parametrize(
    "how, error",
    [
        ("missing", KeyError),
        ("unexpected", KeyError),
        ("shape", ValueError),
        ("transposed", ValueError),
        ("ragged", ValueError),
        ("string", TypeError),
        ("bool", TypeError),
    ],
)
def test_mismatched_state_dict_raises_and_leaves_the_model_untouched(how, error):
    source = MLP(3, [4, 2], seed=1)
    target = MLP(3, [4, 2], seed=2)
    before = target.state_dict()
    # Valid values for every key except the corrupted one, so a partial copy would show.
    with pytest.raises(error):
        target.load_state_dict(corrupted(source.state_dict(), how))
    assert target.state_dict() == before


def test_load_error_names_the_key_and_shapes():
    model = MLP(3, [4, 2], seed=0)
    state = model.state_dict()
    state["layers.0.bias"] = [0.0] * 5
    with pytest.raises(ValueError, match=r"layers\.0\.bias.*\(5,\).*\(4,\)"):
        model.load_state_dict(state)
    with pytest.raises(TypeError, match="dict"):
        model.load_state_dict([("layers.0.bias", [0.0] * 4)])  # type: ignore[arg-type]


# -- train/eval, zero_grad, structure ---------------------------------------------------------


def test_train_eval_flags_propagate_to_every_submodule():
    inner = MLP(2, [3, 3, 1], activation="prelu", dropout=0.5, seed=0)
    model = Sequential(Dropout(0.2, seed=0), inner, Sigmoid())
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert (
        len(model.modules()) == 1 + 1 + 1 + 3 + 3 + 2 + 1
    )  # seq, drop, mlp, layers, acts, dropouts, sigmoid
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(TypeError, match="mode"):
        model.train("no")  # type: ignore[arg-type]


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    y = model([0.3, -0.7])
    (y * y).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_forward_batch_equals_forward_per_example_and_accepts_arrays():
    np = pytest.importorskip("numpy")
    model = MLP(3, [5, 2], activation="tanh", seed=0)
    batch = model.forward_batch(np.array(X3))
    single = [model(x) for x in X3]
    assert [[v.data for v in out] for out in batch] == [[v.data for v in out] for out in single]
    assert model.forward_batch([]) == []


def test_one_output_returns_a_value_and_several_a_list():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Neuron(1, seed=0)(2.0), Value)  # a single input may be a bare number


def test_layer_computes_the_closed_form():
    layer = Layer(2, 2, "tanh", seed=0)
    layer.load_state_dict({"weight": [[0.5, -1.0], [2.0, 0.25]], "bias": [0.1, -0.2]})
    a = layer([1.5, -0.5])
    assert a[0].data == pytest.approx(math.tanh(0.5 * 1.5 + 0.5 + 0.1), abs=1e-15)
    assert a[1].data == pytest.approx(math.tanh(3.0 - 0.125 - 0.2), abs=1e-15)


def test_sequential_chains_and_indexes():
    lin1, lin2 = Linear(2, 3, seed=0), Linear(3, 1, seed=1)
    seq = Sequential(lin1, ReLU(), lin2)
    assert len(seq) == 3 and seq[0] is lin1 and list(seq)[2] is lin2
    x = [0.4, -1.2]
    expected = lin2([v.relu() for v in lin1(x)])
    assert seq(x).data == expected.data
    assert "Linear(2 → 3)" in repr(seq) and "ReLU()" in repr(seq)


# -- initialisation ---------------------------------------------------------------------------


def test_seeded_init_is_reproducible():
    assert MLP(3, [4, 1], seed=7).state_dict() == MLP(3, [4, 1], seed=7).state_dict()
    assert MLP(3, [4, 1], seed=7).state_dict() != MLP(3, [4, 1], seed=8).state_dict()
    a = MLP(3, [4, 1], rng=random.Random(5)).state_dict()
    assert a == MLP(3, [4, 1], seed=5).state_dict()


def flat_weights(layer: Layer) -> list[float]:
    return [w for row in layer.state_dict()["weight"] for w in row]


def test_init_distributions():
    uniform = Layer(100, 50, init="uniform", seed=0)
    ws = flat_weights(uniform)
    assert all(-1.0 <= w <= 1.0 for w in ws) and min(ws) < -0.99 and max(ws) > 0.99
    bound = math.sqrt(6 / (100 + 50))
    ws = flat_weights(Layer(100, 50, init="xavier", seed=0))
    assert all(-bound <= w <= bound for w in ws) and max(abs(w) for w in ws) > 0.99 * bound
    ws = flat_weights(Layer(200, 50, init="he", seed=0))  # 10 000 draws of N(0, 2/200)
    mean = sum(ws) / len(ws)
    std = math.sqrt(sum((w - mean) ** 2 for w in ws) / len(ws))
    assert abs(mean) < 5 * 0.1 / 100 and std == pytest.approx(0.1, rel=0.03)
    for init in ("uniform", "xavier", "he"):
        assert Layer(3, 2, init=init, seed=0).state_dict()["bias"] == [0.0, 0.0]


# -- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: MLP(0, [2]), ValueError, "nin"),
        (lambda: MLP(2.0, [2]), TypeError, "nin"),
        (lambda: MLP(2, []), TypeError, "nouts"),
        (lambda: MLP(2, [3, True]), TypeError, r"nouts\[1\]"),
        (lambda: MLP(2, [3, 1], init="glorot"), ValueError, "'uniform', 'xavier', 'he'"),
        (lambda: MLP(2, [3, 1], seed=1, rng=random.Random(1)), ValueError, "rng or seed"),
        (lambda: MLP(2, [3, 1], seed="1"), TypeError, "seed"),
        (lambda: MLP(2, [3, 1], rng=42), TypeError, "rng"),
        (lambda: MLP(2, [3, 1], activation="softplus"), ValueError, "'relu'"),
        (lambda: MLP(2, [3, 3, 1], activation=["relu"]), ValueError, "one per hidden layer"),
        (lambda: MLP(2, [3, 3, 1], activation=PReLU(3)), ValueError, "shared"),
        (lambda: MLP(2, [3, 1], dropout=1.0), ValueError, "dropout"),
        (lambda: MLP(2, [3, 1], dropout_scaling="torch"), ValueError, "scaling"),
        (lambda: Layer(2, 3, PReLU(2)), ValueError, "PReLU"),
        (lambda: Sequential(Linear(2, 2), "relu"), TypeError, "argument 1"),
    ],
)
def test_bad_constructor_arguments_raise_clear_errors(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_bad_inputs_raise_clear_errors():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="got 3 inputs; expected 2"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="single value"):
        model(1.0)
    with pytest.raises(TypeError, match=r"\[1\]: got str"):
        model([1.0, "2"])
    with pytest.raises(TypeError, match="list"):
        model("12")
    with pytest.raises(TypeError, match="forward_batch"):
        model.forward_batch(3)


# -- micrograd compatibility ------------------------------------------------------------------


def micrograd_demo_data():
    datasets = pytest.importorskip("sklearn.datasets")
    np = pytest.importorskip("numpy")
    np.random.seed(1337)
    X, y = datasets.make_moons(n_samples=100, noise=0.1)
    return X.tolist(), [2 * int(t) - 1 for t in y]


def test_default_init_draws_micrograd_weights_from_the_same_global_seed():
    mg_nn = pytest.importorskip("micrograd.nn")
    state = random.getstate()
    try:
        random.seed(1337)
        theirs = mg_nn.MLP(2, [16, 16, 1])
        random.seed(1337)
        ours = MLP(2, [16, 16, 1])
    finally:
        random.setstate(state)
    assert [p.data for p in ours.parameters()] == [float(q.data) for q in theirs.parameters()]


def test_same_weights_give_micrograds_outputs_svm_loss_and_gradients():
    mg_nn = pytest.importorskip("micrograd.nn")
    X, y = micrograd_demo_data()
    state = random.getstate()
    try:
        random.seed(1337)
        theirs = mg_nn.MLP(2, [16, 16, 1])
    finally:
        random.setstate(state)
    ours = MLP(2, [16, 16, 1], seed=99)
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p.data = float(q.data) + 0.01  # a non-zero bias too, so the bias positions are checked
        q.data = p.data

    # micrograd's demo loss, computed with micrograd's own Values
    their_scores = [theirs(x) for x in X]
    their_losses = [(1 + -yi * si).relu() for yi, si in zip(y, their_scores)]
    their_total = sum(their_losses) * (1.0 / len(their_losses)) + 1e-4 * sum(
        p * p for p in theirs.parameters()
    )
    their_total.backward()

    our_scores = ours.forward_batch(X)
    our_total = hinge(our_scores, y) + 1e-4 * sum_of([p * p for p in ours.parameters()])
    our_total.backward()

    assert [s.data for s in our_scores] == pytest.approx([s.data for s in their_scores], abs=1e-12)
    assert our_total.data == pytest.approx(their_total.data, abs=1e-12)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, abs=1e-12)


# -- PyTorch oracle for whole MLPs --------------------------------------------------------------

TORCH_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "linear"]


def torch_forward(torch, state, x, activation):
    F = torch.nn.functional
    h = x
    n_layers = sum(1 for k in state if k.endswith(".weight"))
    for k in range(n_layers):
        h = F.linear(h, state[f"layers.{k}.weight"], state[f"layers.{k}.bias"])
        if k < n_layers - 1:
            h = {
                "sigmoid": torch.sigmoid,
                "tanh": torch.tanh,
                "relu": torch.relu,
                "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
                "prelu": lambda t, k=k: F.prelu(t, state[f"layers.{k}.activation.alpha"]),
                "elu": F.elu,
                "linear": lambda t: t,
            }[activation](h)
    return h


@pytest.mark.parametrize("activation", TORCH_ACTIVATIONS)
@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), xs=st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_mlp_outputs_and_gradients_match_torch(activation, seed, xs):
    torch = pytest.importorskip("torch")
    model = MLP(3, [4, 4, 2], activation=activation, init="xavier", seed=seed)
    if activation == "prelu":  # make α's distinct and non-default
        for j, a in enumerate(model.layers[0].activation.alpha):
            a.data = 0.1 * (j + 1)
    out = model(xs)
    loss = out[0] * 0.7 - out[1] * 1.3
    loss.backward()

    state = {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in model.state_dict().items()
    }
    t_out = torch_forward(torch, state, torch.tensor([xs], dtype=torch.float64), activation)[0]
    (t_out[0] * 0.7 - t_out[1] * 1.3).backward()

    assert [v.data for v in out] == pytest.approx(t_out.tolist(), abs=1e-12)
    for name, p in model.named_parameters():
        key, idx = name.split("[", 1)
        g = state[key].grad
        for i in idx.rstrip("]").split("]["):
            g = g[int(i)]
        assert p.grad == pytest.approx(float(g), abs=1e-12), name


# -- the backend contract and the module architecture (issue 9) --------------------------------


def test_each_backends_module_names_its_losses_and_no_grad():
    import contextlib

    import micrograd_tips.losses

    assert Module.losses is micrograd_tips.losses and MLP.losses is micrograd_tips.losses
    assert Module.no_grad is contextlib.nullcontext
    model = MLP(2, [3, 1], seed=0)
    with model.no_grad():
        out = model([1.0, 2.0])
    assert out._prev  # the scalar engine still builds the graph: no_grad is a no-op here
    pytest.importorskip("numpy")
    from micrograd_tips import _modes
    from micrograd_tips.tensor import losses as tlosses
    from micrograd_tips.tensor import nn as tnn

    assert tnn.Module.losses is tlosses and tnn.MLP(2, [3, 1]).losses is tlosses
    assert tnn.Module.no_grad is _modes.no_grad
    with tnn.MLP(2, [3, 1]).no_grad():
        assert not _modes.is_grad_enabled()


def _imports(path, root) -> list[tuple[str, bool]]:
    """(imported module or name, inside a function?) for every import of one source file."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(root.parent).parent.parts  # ("micrograd_tips", "tensor")
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    nested = {id(i) for f in functions for i in ast.walk(f) if isinstance(i, (ast.Import, ast.ImportFrom))}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            mod = ".".join([*base, node.module] if node.module else base)
            out += [(f"{mod}.{a.name}", id(node) in nested) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, id(node) in nested) for a in node.names]
    return out


SCALAR_BACKEND = ("nn", "activations", "dropout", "maxout", "engine", "losses", "module")


def _is_scalar_backend(name: str) -> bool:
    return any(
        name == f"micrograd_tips.{m}" or name.startswith(f"micrograd_tips.{m}.") for m in SCALAR_BACKEND
    )


def test_layers_import_no_scalar_module_from_the_numpy_backend_and_none_inside_functions():
    from pathlib import Path

    import micrograd_tips

    root = Path(micrograd_tips.__file__).parent
    layers = ("nn", "activations", "dropout", "maxout", "module", "init")  # engine/ops/losses: elsewhere
    for stem in layers:
        for name, _ in _imports(root / "tensor" / f"{stem}.py", root):
            assert not _is_scalar_backend(name), f"tensor/{stem}.py imports the scalar backend's {name}"
    for stem in ("nn", "activations", "dropout", "maxout", "module", "losses"):
        for name, inside in _imports(root / f"{stem}.py", root):
            assert not inside, f"{stem}.py imports {name} inside a function"
    for stem in ("_init", "_activation_table", "_dropout_base", "_layer_base", "_module_base"):
        for name, _ in _imports(root / f"{stem}.py", root):  # backend-neutral: neither backend
            assert ".tensor" not in name and not _is_scalar_backend(name), f"{stem}.py imports {name}"


# -- the NumPy backend's natural path (issue 11) -----------------------------------------------


def test_auto_init_suits_the_activation():
    """init="auto" (the NumPy backend's default): He N(0, 2/nin) for ReLU, Xavier for sigmoid/linear."""
    np = pytest.importorskip("numpy")
    from micrograd_tips.tensor import nn as tnn

    relu = tnn.Layer(400, 100, seed=0).weight.data  # 40 000 draws
    assert relu.std() == pytest.approx(math.sqrt(2 / 400), rel=0.03) and abs(relu.mean()) < 0.003
    for act in ("sigmoid", "linear"):
        w = tnn.Layer(400, 100, act, seed=0).weight.data
        bound = math.sqrt(6 / 500)  # Var = bound²/3 = 2/(nin + nout)
        assert np.abs(w).max() <= bound and w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert MLP(2, [3, 1], seed=0).state_dict() == MLP(2, [3, 1], init="uniform", seed=0).state_dict()
    he = Layer(3, 2, init="auto", seed=0).state_dict()  # the scalar backend knows "auto" too
    assert he == Layer(3, 2, init="he", seed=0).state_dict()


def test_a_float32_batch_feeds_a_default_float64_model_exactly():
    np = pytest.importorskip("numpy")
    from micrograd_tips.tensor import Tensor
    from micrograd_tips.tensor import nn as tnn

    model = tnn.MLP(3, [4, 2], seed=0)
    X32 = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    out = model(X32)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.data, model(X32.astype(np.float64)).data)
    with pytest.raises(TypeError, match="float32"):
        model(Tensor(X32))  # a graph node is never converted silently
    with pytest.raises(TypeError, match="float64"):
        tnn.MLP(3, [2], dtype="float32")(X32.astype(np.float64))  # narrowing would lose precision


@pytest.mark.slow
def test_mnist_natural_path_reaches_90_percent_with_the_defaults():
    """load_mnist_5k() → tensor MLP(784, [128, 10]) → fit with Adam, no dtype or init argument."""
    pytest.importorskip("numpy")
    from micrograd_tips import optim
    from micrograd_tips.data import load_mnist_5k
    from micrograd_tips.tensor import losses as tlosses
    from micrograd_tips.tensor import nn as tnn
    from micrograd_tips.training import fit

    data = load_mnist_5k()
    state = random.getstate()
    random.seed(0)
    try:
        model = tnn.MLP(784, [128, 10])
    finally:
        random.setstate(state)
    start = float(tlosses.cross_entropy(model(data.X_train), data.y_train))
    assert abs(start - math.log(10)) < 0.5  # a sane start: near ln 10, the loss of a uniform guess
    fit(model, optim.Adam(model.parameters(), lr=1e-3), data.X_train, data.y_train,
        loss="cross_entropy", epochs=5, batch_size=64, progress=False)  # fmt: skip
    model.eval()
    assert tlosses.accuracy(model(data.X_test), data.y_test) >= 0.90
