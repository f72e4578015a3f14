"""Time one optimizer step: micrograd_tips.optim on NumPy arrays vs torch.optim on CPU tensors.

Usage: python benchmarks/bench_optim_step.py [--repeat N] [--only NAME ...]

Both sides get the same parameter shapes and gradients (float64 and float32); the gradient stays
fixed, so only the step itself is timed (the median of N runs of a batch of steps). Optimizers:
`CASES` (Adam, AdamW, SGD with momentum, Adagrad, RMSprop). Sizes: a small MLP (micrograd's
2-16-16-1, where per-parameter Python overhead dominates), an MNIST MLP, and a 1000×1000 layer
(where memory traffic dominates). The ratio is torch's time over ours: above 1 we are faster.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from micrograd_tips import optim

SHAPES = {
    "mlp 2-16-16-1": [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)],
    "mlp 784-128-10": [(128, 784), (128,), (10, 128), (10,)],
    "dense 1000x1000": [(1000, 1000), (1000,)],
}


CASES = [
    ("Adam", {"lr": 1e-3}),
    ("AdamW", {"lr": 1e-3}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("Adagrad", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2}),
]


class Param:
    def __init__(self, data: np.ndarray, grad: np.ndarray) -> None:
        self.data, self.grad = data, grad


def time_pair(step_a, step_b, steps: int, repeat: int) -> tuple[float, float]:
    """Median seconds per step of each, measured in alternation (fair under a noisy machine)."""
    step_a()  # state allocation happens on the first step
    step_b()
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for step, out in ((step_a, runs[0]), (step_b, runs[1])):
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            out.append((time.perf_counter() - t0) / steps)
    return statistics.median(runs[0]), statistics.median(runs[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", nargs="+", default=[name for name, _ in CASES], metavar="NAME")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__} (1 thread); median time per step")
    print(f"{'optimizer':<8} {'params':<16} {'dtype':<8} {'numpy (µs)':>11} {'torch (µs)':>11} {'ratio':>6}")
    for name, kwargs in CASES:
        if name not in args.only:
            continue
        for label, shapes in SHAPES.items():
            for dtype in (np.float64, np.float32):
                arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
                grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
                ours = [Param(a.copy(), g.copy()) for a, g in zip(arrays, grads)]
                theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
                for t, g in zip(theirs, grads):
                    t.grad = torch.tensor(g)
                opt_np = getattr(optim, name)(ours, **kwargs)
                opt_t = getattr(torch.optim, name)(theirs, **kwargs)
                steps = {"mlp 2": 200, "mlp 7": 50}.get(label[:5], 10)
                t_np, t_t = time_pair(opt_np.step, opt_t.step, steps, args.repeat)
                print(
                    f"{name:<8} {label:<16} {np.dtype(dtype).name:<8} {t_np * 1e6:>11.1f} "
                    f"{t_t * 1e6:>11.1f} {t_t / t_np:>5.2f}x"
                )


if __name__ == "__main__":
    main()
