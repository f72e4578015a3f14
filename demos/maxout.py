"""Maxout: a learnable activation, ReLU as its special case, and the thin linear network (lecture A3).

A Maxout unit computes k linear pieces z_k = w_k·x + b_k and outputs a = max_k z_k
(Goodfellow et al., ICML 2013). Four things are shown:

1. Maxout vs ReLU on MNIST (NumPy backend, same width, same budget): Maxout is at least as good.
2. The learned activations: along a line x(t) = x_a + t·(x_b − x_a) through input space each unit
   is a(t) = max_k(α_k + β_k·t) — a piecewise-linear convex function with at most k pieces.
3. ReLU is Maxout with pieces {0, w·x + b}: the same outputs on a batch, difference exactly 0.
4. The thin linear network (scalar engine): for one example the winner of each group is fixed,
   so max is linear there; only the winning pieces get a gradient (losing pieces greyed out in the
   graph). Another example selects another thin network; over a data set every piece wins, so
   "every weight gets trained".
"""

from __future__ import annotations

import random
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from _common import main, progress, pyplot, save_figure

from micrograd_tips import Value
from micrograd_tips.data import load_mnist_5k, moons
from micrograd_tips.engine import argmax
from micrograd_tips.maxout import Maxout as ScalarMaxout
from micrograd_tips.nn import Layer as ScalarLayer
from micrograd_tips.nn import Linear as ScalarLinear
from micrograd_tips.optim import Adam
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn, no_grad
from micrograd_tips.tensor.losses import accuracy
from micrograd_tips.training import fit
from micrograd_tips.viz import draw_dot, render

# ---------------------------------------------------------------------------------------------
# 1. Maxout vs ReLU on MNIST
# ---------------------------------------------------------------------------------------------


def mnist_net(kind: str, hidden: int, rng: np.random.Generator) -> nn.Sequential:
    """784 → `hidden` units (ReLU, or Maxout with k pieces for kind "maxout-k") → 10 logits."""
    if kind == "relu":
        first: nn.Module = nn.Layer(784, hidden, "relu", init="he", rng=rng, dtype="float32")
    else:
        k = int(kind.split("-")[1])
        first = nn.Maxout(784, hidden, k, init="he", rng=rng, dtype="float32")
    return nn.Sequential(first, nn.Linear(hidden, 10, init="xavier", rng=rng, dtype="float32"))


def train_mnist(data: Any, kinds: list[str], hidden: int, epochs: int, seed: int) -> dict[str, Any]:
    """Train one net per kind with Adam (η = 10⁻³), batch 64; return {kind: (model, train acc, test acc)}."""
    out = {}
    for kind in progress(kinds, "Maxout vs ReLU on MNIST"):
        model = mnist_net(kind, hidden, np.random.default_rng(seed))
        history = fit(
            model,
            Adam(model.parameters(), lr=1e-3),
            data.X_train,
            data.y_train,
            loss="cross_entropy",
            epochs=epochs,
            batch_size=64,
            seed=seed,
            progress=False,
        )
        model.eval()
        with no_grad():
            test_acc = accuracy(model(data.X_test), data.y_test)
        out[kind] = (model, history.train_accuracy[-1], test_acc)
    return out


# ---------------------------------------------------------------------------------------------
# 2. The learned activation functions along a line through input space
# ---------------------------------------------------------------------------------------------


def unit_pieces(layer: nn.Maxout, x_a: np.ndarray, x_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each piece along x(t) = x_a + t·(x_b − x_a) is a line α + β·t: returns α, β of shape (units, k)."""
    w = layer.weight.data.astype(np.float64)  # (units, k, 784)
    b = layer.bias.data.astype(np.float64)  # (units, k)
    x_a, x_b = x_a.astype(np.float64), x_b.astype(np.float64)
    return w @ x_a + b, w @ (x_b - x_a)


def piece_runs(winners: np.ndarray) -> np.ndarray:
    """Number of linear segments along the grid: 1 + the number of times the winning piece changes."""
    return 1 + np.count_nonzero(np.diff(winners, axis=-1), axis=-1)


def activation_shapes(layer: nn.Maxout, x_a: np.ndarray, x_b: np.ndarray, t: np.ndarray) -> dict[str, Any]:
    """a_j(t) for every unit (float64), its pieces, winners, segment counts and curvature.

    Convexity is checked without using the max formula's structure: the second differences
    a(t−h) − 2a(t) + a(t+h) of the sampled function must be ≥ 0 (up to rounding).
    """
    alpha, beta = unit_pieces(layer, x_a, x_b)
    z = alpha[:, :, None] + beta[:, :, None] * t  # (units, k, T)
    a = z.max(axis=1)
    winners = z.argmax(axis=1)
    second = a[:, :-2] - 2 * a[:, 1:-1] + a[:, 2:]
    scale = np.abs(a).max(axis=1, keepdims=True) + 1.0
    # the same curve from the model itself (float32 forward) must agree
    line = (x_a[None, :] + t[:, None] * (x_b - x_a)[None, :]).astype(np.float32)
    with no_grad():
        model_a = layer(line).data.T.astype(np.float64)
    return {
        "z": z,
        "a": a,
        "runs": piece_runs(winners),
        "min_second_diff": float((second / scale).min()),
        "model_gap": float(np.abs(model_a - a).max() / np.abs(a).max()),
    }


def pick_units(runs: np.ndarray, how_many: int) -> list[int]:
    """The units showing the most pieces on the line (lowest index first among equals)."""
    order = sorted(range(len(runs)), key=lambda j: (-int(runs[j]), j))
    return order[:how_many]


def plot_shapes(shapes: dict[int, dict[str, Any]], t: np.ndarray, out_dir: Path, names: str) -> list[Path]:
    plt = pyplot()
    per_row = 4
    fig, axes = plt.subplots(len(shapes), per_row, figsize=(13, 3.1 * len(shapes)), squeeze=False)
    for row, (k, shape) in enumerate(shapes.items()):
        for col, j in enumerate(pick_units(shape["runs"], per_row)):
            ax = axes[row][col]
            for p in range(k):
                ax.plot(t, shape["z"][j, p], "--", lw=1, label=f"piece z{p + 1}")
            ax.plot(t, shape["a"][j], "k", lw=2.2, label="a = max")
            lo, hi = shape["a"][j].min(), shape["a"][j].max()
            pad = 0.3 * (hi - lo) + 0.5
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_title(f"k = {k}, unit {j}: {int(shape['runs'][j])} pieces", fontsize=10)
            ax.set_xlabel(f"t  (input x_a + t·(x_b − x_a), {names})", fontsize=8)
            if col == 0:
                ax.set_ylabel("unit output a(t)")
            if (row == 0 and col == 0) or (col == 0 and row == len(shapes) - 1):
                ax.legend(fontsize=7, loc="upper center")
    fig.suptitle("Learned Maxout activations on MNIST: piecewise linear, convex, ≤ k pieces (lecture A3)")
    fig.tight_layout()
    return save_figure(fig, out_dir, "maxout_activations")


# ---------------------------------------------------------------------------------------------
# 3. ReLU as the special case {0, w·x + b}
# ---------------------------------------------------------------------------------------------


def relu_special_case(X: np.ndarray, hidden: int, seed: int) -> tuple[float, float]:
    """Max |Maxout{0, z} − ReLU(z)| on a batch: NumPy backend (float32), then scalar engine (3 rows)."""
    relu = nn.Layer(784, hidden, "relu", init="he", rng=np.random.default_rng(seed), dtype="float32")
    maxout = nn.Maxout.relu_like(784, hidden, rng=np.random.default_rng(seed + 1), dtype="float32")
    maxout.load_state_dict({"weight": relu.weight.data[:, None, :], "bias": relu.bias.data[:, None]})
    with no_grad():
        gap_numpy = float(np.abs(maxout(X).data - relu(X).data).max())
    small = ScalarLayer(784, 4, "relu", init="he", seed=seed)
    small_max = ScalarMaxout.relu_like(784, 4, seed=seed + 1)
    state = small.state_dict()
    small_max.load_state_dict(
        {"weight": [[w] for w in state["weight"]], "bias": [[b] for b in state["bias"]]}
    )
    gap_scalar = 0.0
    for x in X[:3].astype(np.float64).tolist():
        for u, v in zip(small(x), small_max(x)):
            gap_scalar = max(gap_scalar, abs(u.data - v.data))
    return gap_numpy, gap_scalar


# ---------------------------------------------------------------------------------------------
# 4. The thin linear network, scalar engine
# ---------------------------------------------------------------------------------------------


class TinyMaxoutNet:
    """x (2) → Maxout(2 groups × 2 pieces) → Maxout(2 groups × 2 pieces) → linear y: the slide's net."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.layers = [
            ScalarMaxout(2, 2, 2, rng=rng, label="L1."),
            ScalarMaxout(2, 2, 2, rng=rng, label="L2."),
        ]
        self.out = ScalarLinear(2, 1, rng=rng, label="out.")

    def parameters(self) -> list[Value]:
        return [p for m in (*self.layers, self.out) for p in m.parameters()]

    def maxout_parameters(self) -> list[Value]:
        return [p for m in self.layers for p in m.parameters()]

    def __call__(self, x: list[float]) -> tuple[Value, list[list[Value]], tuple[int, ...]]:
        """y, the max nodes of every layer (their _prev are the pieces), and the winner pattern."""
        h: Any = [Value(v, f"x{i + 1}") for i, v in enumerate(x)]
        maxes, pattern = [], ()
        for layer in self.layers:
            h = layer(h)
            maxes.append(h)
            assert layer.last_winners is not None
            pattern += layer.last_winners
        y = self.out(h)
        y.label = "y"
        return y, maxes, pattern


def losing_nodes(maxes: list[list[Value]]) -> list[Value]:
    """Every losing piece z of a group (all but the engine's winner) and the parameters it owns."""
    dim = []
    for layer_maxes in maxes:
        for m in layer_maxes:
            winner = argmax(m._prev)
            for i, z in enumerate(m._prev):
                if i != winner:
                    dim.append(z)
                    dim.extend(p for p in z._prev if p._op == "param")
    return dim


def train_tiny(net: TinyMaxoutNet, X: list[list[float]], y: list[int], steps: int) -> None:
    """Full-batch Adam on the squared error (y ∈ {−1, +1} targets)."""
    opt = Adam(net.parameters(), lr=0.05)
    for _ in progress(range(steps), "tiny Maxout net"):
        loss = sum(((net(x)[0] - t) ** 2 for x, t in zip(X, y)), Value(0.0)) * (1.0 / len(X))
        opt.zero_grad()
        loss.backward()
        opt.step()


def thin_network(out_dir: Path, seed: int, steps: int) -> dict[str, Any]:
    """Train the tiny net on moons, draw two examples' thin networks, count wins over the data."""
    X, labels = moons(60, noise=0.1, seed=seed)
    mean = [sum(col) / len(X) for col in zip(*X)]
    X = [[a - mean[0], b - mean[1]] for a, b in X]  # centred: both pieces of a group can win
    targets = [2 * c - 1 for c in labels]
    net = TinyMaxoutNet(seed)
    train_tiny(net, X, targets, steps)

    wins = [[[0, 0] for _ in range(2)] for _ in range(2)]  # layer, group, piece
    patterns, touched = {}, set()
    per_example = []
    for i, x in enumerate(X):
        y, maxes, pattern = net(x)
        patterns.setdefault(pattern, i)
        for li, layer in enumerate(net.layers):
            assert layer.last_winners is not None
            for g, w in enumerate(layer.last_winners):
                wins[li][g][w] += 1
        for p in net.maxout_parameters():
            p.grad = 0.0
        ((y - targets[i]) ** 2).backward()
        got = {id(p) for p in net.maxout_parameters() if p.grad != 0.0}
        per_example.append(len(got))
        touched |= got

    first = 0
    second = next((i for p, i in patterns.items() if p != net(X[first])[2]), first)
    figures, checks = [], {}
    for tag, i in (("example_a", first), ("example_b", second)):
        for p in net.parameters():
            p.grad = 0.0
        y, maxes, pattern = net(X[i])
        loss = (y - targets[i]) ** 2
        loss.label = "loss"
        loss.backward()
        dim = losing_nodes(maxes)
        losers = [p for p in dim if p._op == "param"]
        winners = [p for p in net.maxout_parameters() if all(p is not q for q in losers)]
        checks[f"{tag}_max_loser_grad"] = max(abs(p.grad) for p in losers)
        checks[f"{tag}_winner_grads_nonzero"] = float(sum(p.grad != 0.0 for p in winners)) / len(winners)
        title = f"example {i}: x = ({X[i][0]:.2f}, {X[i][1]:.2f}), winners {pattern} — losing pieces greyed"
        graph = draw_dot(loss, dim=dim, title=title, max_nodes=300)
        for fmt in ("png", "svg"):
            figures.append(render(graph, out_dir / f"thin_network_{tag}.{fmt}"))
    n_params = len(net.maxout_parameters())
    return {
        "figures": figures,
        "checks": checks,
        "min_wins": min(w for layer in wins for group in layer for w in group),
        "wins": wins,
        "patterns": len(patterns),
        "pattern_a": net(X[first])[2],
        "pattern_b": net(X[second])[2],
        "touched_fraction": len(touched) / n_params,
        "per_example_fraction": sum(per_example) / len(per_example) / n_params,
    }


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def one_blas_thread() -> AbstractContextManager[Any]:
    """Limit BLAS to one thread: on a small, shared machine a threaded BLAS is many times slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(1)


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    with one_blas_thread():
        return _run(out_dir, quick, seed)


def _run(out_dir: Path, quick: bool, seed: int) -> DemoResult:
    result = DemoResult("maxout", "Maxout: learnable activation, ReLU special case, thin networks", "A3")
    out_dir.mkdir(parents=True, exist_ok=True)
    hidden, epochs, tiny_steps = (48, 3, 25) if quick else (128, 10, 60)
    data = load_mnist_5k(seed=seed)

    nets = train_mnist(data, ["relu", "maxout-2", "maxout-3"], hidden, epochs, seed)
    claims = {"relu": "", "maxout-2": "Maxout ≥ ReLU", "maxout-3": "paper: 0.94 % test error (full MNIST)"}
    for kind, (_, train_acc, test_acc) in nets.items():
        result.add(
            f"MNIST {kind}, {hidden} units: train / test acc",
            f"{train_acc:.3f} / {test_acc:.3f}",
            claims[kind],
        )
    relu_acc = nets["relu"][2]
    result.checks["maxout2_minus_relu_test_acc"] = nets["maxout-2"][2] - relu_acc
    result.checks["maxout3_minus_relu_test_acc"] = nets["maxout-3"][2] - relu_acc

    # two test digits of different classes span the line the activations are plotted along
    ia = int(np.flatnonzero(data.y_test == 3)[0])
    ib = int(np.flatnonzero(data.y_test == 8)[0])
    t = np.linspace(-2.0, 3.0, 1001)
    shapes = {}
    for k in (2, 3):
        layer = nets[f"maxout-{k}"][0][0]
        shapes[k] = activation_shapes(layer, data.X_test[ia], data.X_test[ib], t)
        runs = shapes[k]["runs"]
        result.add(
            f"k = {k}: units with 1 / 2 / … / k pieces on the line",
            " / ".join(str(int((runs == r).sum())) for r in range(1, k + 1)),
            f"piecewise linear, ≤ {k} pieces",
        )
        result.checks[f"k{k}_max_pieces"] = float(runs.max())
        result.checks[f"k{k}_min_second_difference"] = shapes[k]["min_second_diff"]
        result.checks[f"k{k}_units_with_k_pieces"] = float((runs == k).sum())
        result.checks[f"k{k}_model_vs_formula"] = shapes[k]["model_gap"]
    worst = min(s["min_second_diff"] for s in shapes.values())
    result.add("min second difference of a(t) (scaled)", f"{worst:.2e}", "convex: ≥ 0")
    result.figures += plot_shapes(shapes, t, out_dir, "x_a = a test '3', x_b = a test '8'")

    gap_numpy, gap_scalar = relu_special_case(data.X_test[:256], hidden, seed)
    result.add("max |Maxout{0, z} − ReLU(z)|, 256 MNIST rows (NumPy)", f"{gap_numpy:.1e}", "0 (special case)")
    result.add("the same, scalar engine (3 rows)", f"{gap_scalar:.1e}", "0")
    result.checks["relu_special_case_gap"] = max(gap_numpy, gap_scalar)

    thin = thin_network(out_dir, seed, tiny_steps)
    result.figures += thin["figures"]
    result.checks.update(thin["checks"])
    result.checks["min_wins_per_piece"] = float(thin["min_wins"])
    result.checks["distinct_thin_networks"] = float(thin["patterns"])
    result.checks["examples_ab_differ"] = float(thin["pattern_a"] != thin["pattern_b"])
    result.checks["touched_fraction"] = thin["touched_fraction"]
    result.add(
        "tiny net: |grad| of losing pieces' weights (example)",
        thin["checks"]["example_a_max_loser_grad"],
        "0",
    )
    result.add(
        "tiny net: winner patterns of examples a / b",
        f"{thin['pattern_a']} / {thin['pattern_b']}",
        "different thin networks",
    )
    result.add("tiny net: distinct thin networks over 60 examples", thin["patterns"], "")
    result.add("tiny net: fewest wins of any piece over the data", thin["min_wins"], "every piece wins (> 0)")
    result.add(
        "Maxout weights with a gradient: one example / all",
        f"{thin['per_example_fraction']:.0%} / {thin['touched_fraction']:.0%}",
        "every weight gets trained",
    )

    result.conclusion = (
        f"Maxout matched ReLU on MNIST (test {nets['maxout-2'][2]:.3f}/{nets['maxout-3'][2]:.3f} vs "
        f"{relu_acc:.3f}); its learned activations are convex with ≤ k pieces; ReLU is the case "
        "{0, z} exactly; each example trains a thin linear network and all pieces get trained"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
