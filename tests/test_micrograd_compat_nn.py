"""micrograd's `nn` API on our layers: the same code runs with only the import swapped (issue 9).

The usage below is written here in the style of micrograd's README and lecture (``Neuron(2)``,
``Layer(2, 3, nonlin=False)``, ``MLP(3, [4, 4, 1])``, the squared-error loop with
``p.data += -lr * p.grad``). micrograd 0.1.0 itself is the oracle.
"""

from __future__ import annotations

import random
import timeit
from types import SimpleNamespace
from typing import Any

import pytest

from micrograd_tips import nn
from micrograd_tips.activations import ReLU
from micrograd_tips.engine import Value


def ours() -> SimpleNamespace:
    return SimpleNamespace(Value=Value, Neuron=nn.Neuron, Layer=nn.Layer, MLP=nn.MLP)


def theirs() -> SimpleNamespace:
    mg_engine = pytest.importorskip("micrograd.engine")
    mg_nn = pytest.importorskip("micrograd.nn")
    return SimpleNamespace(Value=mg_engine.Value, Neuron=mg_nn.Neuron, Layer=mg_nn.Layer, MLP=mg_nn.MLP)


def lecture_usage(lib: SimpleNamespace) -> list[float]:
    """micrograd-style code; only `lib` (the import) changes. Returns every number it computed."""
    Value, Neuron, Layer, MLP = lib.Value, lib.Neuron, lib.Layer, lib.MLP
    state = random.getstate()
    random.seed(2024)
    try:
        record: list[float] = []
        x = [2.0, -3.0]
        relu_neuron, linear_neuron = Neuron(2), Neuron(2, nonlin=False)
        layer = Layer(2, 3, nonlin=False)
        record += [relu_neuron(x).data, linear_neuron(x).data] + [o.data for o in layer(x)]
        record += [len(layer.neurons), len(relu_neuron.w), relu_neuron.b.data, len(layer.parameters())]
        record += [wi.data for wi in layer.neurons[1].w] + [layer.neurons[2].b.data]
        record += [layer.neurons[0]([Value(1.0), Value(0.5)]).data]

        model = MLP(3, [4, 4, 1])
        xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
        ys = [1.0, -1.0, -1.0, 1.0]
        for _ in range(15):
            ypred = [model(x) for x in xs]
            loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data += -0.05 * p.grad
            record.append(loss.data)
        record += [p.data for p in model.parameters()] + [model.layers[1].neurons[3].w[2].grad]
        return record
    finally:
        random.setstate(state)


def test_micrograd_usage_runs_unchanged_and_gives_micrograds_numbers() -> None:
    expected = lecture_usage(theirs())
    got = lecture_usage(ours())
    assert len(got) == len(expected)
    assert got == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_nonlin_means_relu_or_linear_as_in_micrograd() -> None:
    z = -1.5  # w·x + b < 0 for the chosen weights: ReLU gives 0, linear gives z
    for nonlin, expected in ((True, 0.0), (False, z)):
        neuron = nn.Neuron(1, nonlin=nonlin, seed=0)
        neuron.w[0].data, neuron.b.data = 1.0, 0.0
        assert neuron(z).data == expected and neuron.nonlin is nonlin
    layer = nn.Layer(3, 2, nonlin=False, seed=0)
    assert [n.nonlin for n in layer.neurons] == [False, False]
    assert type(nn.Layer(3, 2, nonlin=True).activation) is ReLU
    assert nn.Neuron(3, True).nonlin and not nn.Neuron(3, False).nonlin  # positional, as a bool


def test_layer_neurons_share_the_layers_parameters() -> None:
    layer = nn.Layer(3, 4, "prelu", seed=1)
    assert [n.w for n in layer.neurons] == layer.weight and [n.b for n in layer.neurons] == layer.bias
    assert all(n.w is row for n, row in zip(layer.neurons, layer.weight))  # the same Values, no copy
    x = [0.3, -2.0, 1.0]
    layer.activation.alpha[2].data = 0.7  # neuron 2 uses α₂ of the layer's per-neuron PReLU
    assert [n(x).data for n in layer.neurons] == [a.data for a in layer(x)]
    assert layer.neurons[2].activation.alpha[0] is layer.activation.alpha[2]
    assert len(layer.parameters()) == 4 * (3 + 1) + 4  # the neurons add no parameters


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: nn.Neuron(3, "tanh", nonlin=True), ValueError, "not both"),
        (lambda: nn.Layer(3, 2, nonlin=1), TypeError, "nonlin"),
        (lambda: nn.Layer(3, 2, "sigmoid", nonlin=False), ValueError, "not both"),
    ],
)
def test_bad_nonlin_is_a_clear_error(build: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        build()


def test_numpy_backend_accepts_nonlin_too() -> None:
    pytest.importorskip("numpy")
    from micrograd_tips.tensor import nn as tnn

    assert tnn.Layer(3, 2, nonlin=False).activation.name == "linear"
    assert tnn.Neuron(3, nonlin=True).activation.name == "relu"


def best_time(fn: Any, number: int = 2000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def test_parameters_is_at_least_as_fast_as_micrograds() -> None:
    mg = theirs()
    model, reference = nn.MLP(2, [16, 16, 1], seed=0), mg.MLP(2, [16, 16, 1])
    assert len(model.parameters()) == len(reference.parameters()) == 337
    assert model.parameters() == [p for _, p in model.named_parameters()]
    # measured ≈ 3.7 µs vs 10.5 µs; alternate the two so a busy machine slows both
    ours_t, theirs_t = [], []
    for _ in range(3):
        ours_t.append(best_time(model.parameters))
        theirs_t.append(best_time(reference.parameters))
    assert min(ours_t) <= min(theirs_t)
