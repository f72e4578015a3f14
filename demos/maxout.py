"""Maxout: a learnable activation, ReLU as its special case, and the thin linear network (lecture A3).

A Maxout unit computes k linear pieces z_k = w_k·x + b_k and outputs a = max_k z_k
(Goodfellow et al., ICML 2013). Four things are shown:

1. Maxout vs ReLU on MNIST (NumPy backend, same width, same budget): Maxout is at least as good.
2. The learned activations: along a line x(t) = x_a + t·(x_b − x_a) through input space each unit
   is a(t) = max_k(α_k + β_k·t) — a piecewise-linear convex function with at most k pieces.
3. ReLU is Maxout with pieces {0, w·x + b}: the same outputs on a batch, difference exactly 0.
4. The thin linear network (scalar engine): for one example the winner of each group is fixed,
   so max is linear there; only the winning pieces get a gradient (losing pieces greyed out in the
   graph). Another example selects another thin network, so over the data "every weight gets
   trained": on MNIST every piece won on some mini-batch (its bias moved). This is not guaranteed:
   a piece that never wins never learns (like a dead ReLU); the tiny net's win counts show it.
"""

from __future__ import annotations

import random
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
from micrograd_tips.optim import SGD, Adam
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn, no_grad
from micrograd_tips.tensor.losses import accuracy
from micrograd_tips.training import fit
from micrograd_tips.viz import draw_dot, render, save_network_figure

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


class MnistRun:
    """One trained net: accuracies, and for Maxout how many pieces got trained / still win."""

    def __init__(self, model: nn.Sequential, train_acc: float, test_acc: float) -> None:
        self.model, self.train_acc, self.test_acc = model, train_acc, test_acc
        self.pieces_trained = 1.0  # fraction of pieces whose bias moved during training
        self.pieces_winning = 1.0  # fraction of pieces that win on ≥ 1 training example at the end


def train_mnist(data: Any, kinds: list[str], hidden: int, epochs: int, seed: int) -> dict[str, MnistRun]:
    """Train one net per kind with Adam (η = 10⁻³), batch 64, the same batches for every kind."""
    out = {}
    for kind in progress(kinds, "Maxout vs ReLU on MNIST"):
        model = mnist_net(kind, hidden, np.random.default_rng(seed))
        first = model[0]
        bias_before = first.bias.data.copy()
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
        run = MnistRun(model, history.train_accuracy[-1], test_acc)
        if isinstance(first, nn.Maxout):
            # a piece gets a gradient only on examples where it wins: a moved bias means it won
            run.pieces_trained = float((first.bias.data != bias_before).mean())
            first(data.X_train)  # a forward with gradients on records the winners
            assert first.last_winners is not None
            won = np.stack([(first.last_winners == p).any(axis=0) for p in range(first.pieces)], axis=1)
            run.pieces_winning = float(won.mean())
        out[kind] = run
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
        "winners": winners,
        "runs": piece_runs(winners),
        "min_second_diff": float((second / scale).min()),
        "model_gap": float(np.abs(model_a - a).max() / np.abs(a).max()),
    }


def pick_units(winners: np.ndarray, how_many: int) -> list[int]:
    """The units showing the most pieces on the line, preferring long shortest segments (clear kinks)."""

    def score(j: int) -> tuple[int, int, int]:
        change = np.flatnonzero(np.diff(winners[j])) + 1
        lengths = np.diff(np.concatenate([[0], change, [winners.shape[1]]]))
        return (-len(lengths), -int(lengths.min()), j)

    return sorted(range(len(winners)), key=score)[:how_many]


def plot_shapes(shapes: dict[int, dict[str, Any]], t: np.ndarray, out_dir: Path, line: str) -> list[Path]:
    """A row of 4 units per k: the pieces z_k(t) dashed, the unit's output a(t) = max_k z_k(t) black."""
    plt = pyplot()
    fig, axes = plt.subplots(len(shapes), 4, figsize=(13, 3.2 * len(shapes)), squeeze=False)
    for row, (k, shape) in enumerate(shapes.items()):
        for col, j in enumerate(pick_units(shape["winners"], 4)):
            ax = axes[row][col]
            for p in range(k):
                ax.plot(t, shape["z"][j, p], "--", lw=1, label=f"piece z{p + 1}")
            ax.plot(t, shape["a"][j], "k", lw=2.2, label="a = max z")
            for end in (0.0, 1.0):
                ax.axvline(end, color="grey", lw=0.6, ls=":")
            lo, hi = shape["a"][j].min(), shape["a"][j].max()
            pad = 0.3 * (hi - lo) + 0.5
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_title(f"k = {k}, unit {j}: {int(shape['runs'][j])} pieces", fontsize=10)
            ax.set_xlabel("t", fontsize=9)
            if col == 0:
                ax.set_ylabel("unit output a(t)")
                ax.legend(fontsize=7, loc="upper center")
    fig.suptitle(
        "Learned Maxout activations on MNIST: convex, piecewise linear, ≤ k pieces (lecture A3)\n"
        f"input x(t) = x_a + t·(x_b − x_a), {line}; dotted lines: t = 0 (x_a) and t = 1 (x_b)",
        fontsize=11,
    )
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
        """y, each layer's max nodes (their _prev are the pieces z) and the winners of all 4 groups."""
        h: Any = [Value(v, label=f"x{i + 1}") for i, v in enumerate(x)]
        maxes: list[list[Value]] = []
        pattern: tuple[int, ...] = ()
        for li, layer in enumerate(self.layers, start=1):
            h = layer(h)
            for g, a in enumerate(h):  # name the nodes as on the slide: z^l_{g,k}, a^l_g
                a.label = f"a{li}.{g}"
                for k, z in enumerate(a._prev):
                    z.label = f"z{li}.{g}.{k}"
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
                    dim.extend(p for p in z._prev if p._role == "param")
    return dim


def train_tiny(net: TinyMaxoutNet, X: list[list[float]], y: list[int], steps: int) -> None:
    """Full-batch gradient descent (η = 0.1) on the squared error, targets ±1."""
    opt = SGD(net.parameters(), lr=0.1)
    for _ in progress(range(steps), "tiny Maxout net"):
        loss = sum(((net(x)[0] - t) ** 2 for x, t in zip(X, y)), Value(0.0)) * (1.0 / len(X))
        opt.zero_grad()
        loss.backward()
        opt.step()


def draw_thin_network(
    net: TinyMaxoutNet, x: list[float], target: int, title: str
) -> tuple[Any, dict[str, float]]:
    """Backprop one example's loss; grey out the losing pieces; check that only winners got gradients."""
    for p in net.parameters():
        p.grad = 0.0
    y, maxes, pattern = net(x)
    loss = (y - target) ** 2
    loss.label = "loss"
    loss.backward()
    dim = losing_nodes(maxes)
    losers = [p for p in dim if p._role == "param"]
    winners = [p for p in net.maxout_parameters() if all(p is not q for q in losers)]
    checks = {
        "max_loser_grad": max(abs(p.grad) for p in losers),
        "winner_grads_nonzero": sum(p.grad != 0.0 for p in winners) / len(winners),
    }
    return draw_dot(
        loss, dim=dim, title=f"{title}, winners {pattern}: losing pieces greyed", max_nodes=300
    ), checks


def thin_network(out_dir: Path, seed: int, steps: int) -> dict[str, Any]:
    """Train the tiny net on 60 moons points; draw two examples' thin networks; count wins per piece."""
    X, labels = moons(60, noise=0.1, seed=seed)
    mean = [sum(col) / len(X) for col in zip(*X)]
    X = [[a - mean[0], b - mean[1]] for a, b in X]  # centred around 0
    targets = [2 * c - 1 for c in labels]
    net = TinyMaxoutNet(seed)
    train_tiny(net, X, targets, steps)

    patterns = [net(x)[2] for x in X]
    wins = [sum(p[g] == k for p in patterns) for g in range(4) for k in range(2)]  # 4 groups × 2 pieces
    first = 0
    second = next((i for i, p in enumerate(patterns) if p != patterns[first]), first)
    out: dict[str, Any] = {"figures": [], "checks": {}, "wins": wins, "patterns": len(set(patterns))}
    out["pattern_a"], out["pattern_b"] = patterns[first], patterns[second]
    for tag, i in (("a", first), ("b", second)):
        title = f"example {tag} = ({X[i][0]:.2f}, {X[i][1]:.2f})"
        graph, checks = draw_thin_network(net, X[i], targets[i], title)
        out["checks"].update({f"example_{tag}_{name}": v for name, v in checks.items()})
        for fmt in ("png", "svg"):
            out["figures"].append(render(graph, out_dir / f"thin_network_{tag}.{fmt}"))
        out["figures"].append(  # the same example as the lecture draws it: neurons, winners in green
            save_network_figure(
                [*net.layers, net.out],
                X[i],
                out_dir / f"network_maxout_{tag}.svg",
                title=f"{title}: winning pieces (A3)",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    """Run the four parts (quick: 48 units, 3 epochs), write the figures into out_dir."""
    result = DemoResult("maxout", "Maxout: learnable activation, ReLU special case, thin networks", "A3")
    out_dir.mkdir(parents=True, exist_ok=True)
    hidden, epochs, tiny_steps = (48, 3, 30) if quick else (128, 10, 60)
    data = load_mnist_5k(seed=seed)

    # 1. Maxout vs ReLU, the same width and budget
    nets = train_mnist(data, ["relu", "maxout-2", "maxout-3"], hidden, epochs, seed)
    claims = {"relu": "", "maxout-2": "Maxout ≥ ReLU", "maxout-3": "paper: 0.94 % error (full MNIST)"}
    for kind, net in nets.items():
        acc = f"{net.train_acc:.3f} / {net.test_acc:.3f}"
        result.add(f"MNIST {kind}, {hidden} units, {epochs} epochs: train / test acc", acc, claims[kind])
    relu_acc = nets["relu"].test_acc
    for k in (2, 3):
        net = nets[f"maxout-{k}"]
        result.checks[f"maxout{k}_minus_relu_test_acc"] = net.test_acc - relu_acc
        result.checks[f"k{k}_pieces_trained"] = net.pieces_trained
        result.checks[f"k{k}_pieces_winning_after"] = net.pieces_winning
        result.add(
            f"k = {k}: pieces trained (won some batch) / still winning at the end",
            f"{net.pieces_trained:.1%} / {net.pieces_winning:.1%}",
            "every weight gets trained",
        )

    # 2. the learned activation functions along a line between a test '3' and a test '8'
    ia = int(np.flatnonzero(data.y_test == 3)[0])
    ib = int(np.flatnonzero(data.y_test == 8)[0])
    t = np.linspace(-2.0, 3.0, 1001)
    shapes = {}
    for k in (2, 3):
        shapes[k] = activation_shapes(nets[f"maxout-{k}"].model[0], data.X_test[ia], data.X_test[ib], t)
        runs = shapes[k]["runs"]
        result.add(
            f"k = {k}: units with 1 / … / {k} pieces along the line",
            " / ".join(str(int((runs == r).sum())) for r in range(1, k + 1)),
            f"convex, ≤ {k} pieces",
        )
        result.checks[f"k{k}_max_pieces"] = float(runs.max())
        result.checks[f"k{k}_units_with_k_pieces"] = float((runs == k).sum())
        result.checks[f"k{k}_min_second_difference"] = shapes[k]["min_second_diff"]
        result.checks[f"k{k}_model_vs_formula"] = shapes[k]["model_gap"]
    worst = min(s["min_second_diff"] for s in shapes.values())
    result.add("smallest second difference of a(t), scaled", f"{worst:.1e}", "≥ 0 (convex)")
    result.figures += plot_shapes(shapes, t, out_dir, "x_a a test '3', x_b a test '8'")

    # 3. ReLU = Maxout{0, z}
    gap_numpy, gap_scalar = relu_special_case(data.X_test[:256], hidden, seed)
    result.add(
        "max |Maxout{0, z} − ReLU(z)|, 256 MNIST rows (NumPy)",
        f"{gap_numpy:.1e}",
        "0: ReLU is a special case",
    )
    result.add("the same on the scalar engine (3 rows, 4 units)", f"{gap_scalar:.1e}", "0")
    result.checks["relu_special_case_gap"] = max(gap_numpy, gap_scalar)

    # 4. the thin linear network of one example (scalar engine, drawn)
    thin = thin_network(out_dir, seed, tiny_steps)
    result.figures += thin["figures"]
    result.checks.update(thin["checks"])
    result.checks["examples_ab_differ"] = float(thin["pattern_a"] != thin["pattern_b"])
    result.checks["distinct_thin_networks"] = float(thin["patterns"])
    loser = max(thin["checks"]["example_a_max_loser_grad"], thin["checks"]["example_b_max_loser_grad"])
    result.add(
        "tiny net: largest |grad| of a losing piece's weight", loser, "0: only the thin network learns"
    )
    result.add(
        "tiny net: winners of examples a / b", f"{thin['pattern_a']} / {thin['pattern_b']}", "different"
    )
    result.add("tiny net: distinct thin networks among 60 examples", thin["patterns"], "")
    result.add("tiny net: wins of each of the 8 pieces", " ".join(map(str, thin["wins"])), "")

    m2, m3 = nets["maxout-2"], nets["maxout-3"]
    trained = min(m2.pieces_trained, m3.pieces_trained)
    result.conclusion = (
        f"Maxout vs ReLU on MNIST: test {m2.test_acc:.3f} (k=2) / {m3.test_acc:.3f} (k=3) vs {relu_acc:.3f};"
        " learned activations are convex with ≤ k pieces; ReLU is Maxout{0, z} exactly; one example trains"
        f" only its thin linear network, yet {trained:.0%} of the pieces got trained"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
