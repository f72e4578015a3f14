"""Computation graphs after backward: one neuron, then a small MLP (rendered to SVG and PNG).

Every record shows a node's label, its value (data) and ∂output/∂node (grad); parameters,
inputs, constants and the output have their own colours. Lecture: backpropagation is what all
the tips rest on — the gradient ∂L/∂w is read off these graphs.
"""

from __future__ import annotations

import math
from pathlib import Path

from _common import main

from micrograd_tips import Value
from micrograd_tips.cli import example_neuron
from micrograd_tips.nn import MLP
from micrograd_tips.report import DemoResult
from micrograd_tips.viz import draw_dot, render


def neuron() -> tuple[Value, dict[str, Value]]:
    """a = tanh(x1·w1 + x2·w2 + b): the README's neuron (`micrograd-tips graph` draws the same)."""
    return example_neuron()


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("graph", "Computation graphs after backward", "backprop (all sections)")
    out_dir.mkdir(parents=True, exist_ok=True)

    a, nodes = neuron()
    # Closed form: da/dw1 = (1 − tanh²(z))·x1, and z = 0.8814 gives tanh(z) = 1/√2, so 1 − a² = ½.
    expected_w1 = (1 - math.tanh(nodes["z"].data) ** 2) * nodes["x1"].data
    result.add("neuron a = tanh(w·x + b)", a.data, "0.7071 (= 1/√2)")
    result.add("∂a/∂w1 (backprop)", nodes["w1"].grad, f"{expected_w1:.4g} (closed form (1 − a²)·x1)")
    result.checks["neuron_w1_grad_error"] = abs(nodes["w1"].grad - expected_w1)
    for fmt in ("svg", "png"):
        result.figures.append(
            render(draw_dot(a, title="a = tanh(x1·w1 + x2·w2 + b)"), out_dir / f"neuron.{fmt}")
        )

    model = MLP(2, [3, 1], seed=seed)
    x = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
    y = model(x)
    y.label = "y"
    loss = (y - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    graph = draw_dot(loss, params=model.parameters(), title="loss = (MLP(x) − 1)²", max_nodes=200)
    for fmt in ("svg", "png"):
        result.figures.append(render(graph, out_dir / f"mlp.{fmt}"))
    n_values = graph.source.count("shape=record")
    result.add("MLP(2,[3,1]) parameters", len(model.parameters()), "")
    result.add("value nodes in its loss graph", n_values, "")
    result.checks["mlp_grad_nonzero"] = float(sum(p.grad != 0.0 for p in model.parameters()))
    result.conclusion = (
        "backprop's ∂a/∂w1 equals the closed form; every weight of the MLP got its gradient "
        "from one backward pass over the drawn graph"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
