"""Regenerate docs/images/network_*.svg/.png, the README's network pictures, and print the numbers
the README states about them (how far the gradient fades, how many nodes the collapsed step has).

    python tools/make_network_images.py [OUT_DIR]      # default: docs/images
"""

import random
import sys
from pathlib import Path

from micrograd_tips import sum_of
from micrograd_tips.maxout import Maxout
from micrograd_tips.nn import MLP, Linear, Sequential
from micrograd_tips.viz import draw_dot, draw_network, render

out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")


def save(graph, name):
    render(graph, out / f"{name}.svg")
    graph.attr(dpi="64")  # a lighter PNG for the repository
    render(graph, out / f"{name}.png")


# A2: one example switches some ReLUs off — the thinner linear network
relu = MLP(3, [6, 6, 1], seed=5)
save(
    draw_network(relu, [0.5, -1.0, 2.0], title="ReLU, one example x: neurons with z ≤ 0 are off (A2)"),
    "network_relu_thin",
)

# A3: the slide's Maxout net, each unit's winning piece
net = Sequential(Maxout(2, 2, 2, seed=1), Maxout(2, 2, 2, seed=2), Linear(2, 1, seed=3))
save(
    draw_network(
        net, [0.3, -0.8], title="Maxout, one example x: the winning pieces form a thin linear network (A3)"
    ),
    "network_maxout_winners",
)

# B3: one dropout mask, one thinned network
drop = MLP(4, [6, 6, 2], seed=3, dropout=0.5, input_dropout=0.25)
masks = [[1, 0, 1, 1], [0, 1, 1, 0, 1, 1], [1, 1, 0, 1, 0, 1]]
save(
    draw_network(
        drop,
        [1.0, -0.5, 0.8, 1.5],
        masks=masks,
        title="Dropout, one mask: the crossed-out neurons are dropped for this mini-batch (B3)",
    ),
    "network_dropout",
)

# A1: gradient flow after one backward, 10 hidden layers of 8, both pictures on one colour scale
data = random.Random(1)
rows = [[data.gauss(0, 1) for _ in range(8)] for _ in range(16)]
nets = {}
for act, init in (("sigmoid", "xavier"), ("relu", "he")):
    m = MLP(8, [8] * 10 + [1], act, init=init, seed=0)
    sum_of([(m(r) - 1.0) ** 2 for r in rows]).backward()
    nets[act] = (m, init)
mags = [abs(p.grad) for m, _ in nets.values() for p in m.parameters() if p.grad != 0.0]
for act, (m, init) in nets.items():
    graph = draw_network(
        m,
        grads=True,
        max_per_layer=6,
        grad_range=(min(mags), max(mags)),
        title=f"{act}, 10 hidden layers ({init} init): mean |∂L/∂w| per neuron after one backward (A1)",
    )
    save(graph, f"network_gradient_{act}")
    by_layer = {}
    for (layer, _), g in graph.grad_magnitude.items():
        by_layer.setdefault(layer, []).append(g)
    means = [sum(v) / len(v) for _, v in sorted(by_layer.items())]
    print(f"{act}: mean |dL/dw| per layer, input side first: " + ", ".join(f"{g:.2g}" for g in means))

# a real training step (micrograd's demo model, a batch of 20): collapsed instead of refused
model = MLP(2, [16, 16, 1], seed=0)
rng = random.Random(0)
X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(20)]
y = [1.0 if a * b > 0 else -1.0 for a, b in X]
losses = [(1 + -yi * model(xi)).relu() for xi, yi in zip(X, y)]
loss = sum_of(losses) * (1.0 / len(losses)) + 1e-4 * sum_of([p * p for p in model.parameters()])
loss.backward()
step = draw_dot(loss, collapse="layer", title="one training step of MLP(2, [16, 16, 1]) on 20 examples")
save(step, "network_collapsed_step")
print(f"collapsed training step: {step.value_nodes} value nodes")
