"""Benchmark of the scalar engine against micrograd 0.1.0 (issue 2, "Performance").

The workload is micrograd's own demo step: MLP(2, [16, 16, 1]) on 100 two-moons points, SVM
max-margin loss mean(relu(1 − yᵢ·scoreᵢ)) + 1e-4·Σθ², one SGD step (forward, zero_grad,
backward, update). Both engines run in the same process with the same weights (micrograd's are
copied into ours), and the losses and gradients are checked to agree before anything is timed.

Prints: time per step and the speed-up with the garbage collector on (as users run it) and off,
bytes per graph node (tracemalloc), and backward time per node for chains of 1e4 and 1e6 nodes,
each with PASS/MISS against the issue's target.

    python benchmarks/bench_scalar.py            # about a minute
    python benchmarks/bench_scalar.py --quick    # fewer repeats, a 1e5 chain instead of 1e6

Without micrograd (``pip install micrograd==0.1.0``) only our side runs.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

from micrograd_tips.engine import Value, dot, sum_of

N_POINTS = 100
SIZES = [16, 16, 1]
ALPHA = 1e-4  # L2 strength of micrograd's demo
TARGETS = {"gc_on": 10.0, "gc_off": 3.0, "bytes_per_node": 120.0, "chain_ratio": 1.5}
# CPU time of this process: on a shared machine it is far less disturbed by other processes than
# wall-clock time (the workload is single-threaded and CPU-bound, so the two agree when idle).
_clock = time.process_time


# -- data ------------------------------------------------------------------------------------------------


def make_moons(n: int, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (the shape of sklearn's make_moons), labels ±1, pure Python.

    Upper moon: (cos t, sin t); lower moon: (1 − cos t, 0.5 − sin t), t ∈ [0, π]; Gaussian noise.
    """
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[float] = []
    for i in range(n):
        t = math.pi * rng.random()
        upper = i % 2 == 0
        px, py = (math.cos(t), math.sin(t)) if upper else (1.0 - math.cos(t), 0.5 - math.sin(t))
        X.append([px + rng.gauss(0.0, noise), py + rng.gauss(0.0, noise)])
        y.append(1.0 if upper else -1.0)
    return X, y


# -- our side --------------------------------------------------------------------------------------------


def our_model() -> tuple[Any, str]:
    """micrograd_tips.nn.MLP(2, [16, 16, 1]): micrograd's 337 parameters, one Value out."""
    from micrograd_tips.nn import MLP

    model = MLP(2, SIZES)
    n = len(model.parameters())
    if n != 337 or not isinstance(model([0.5, -0.5]), Value):
        raise TypeError(f"unexpected MLP contract ({n} parameters)")
    return model, "micrograd_tips.nn.MLP"


def our_loss(model: Any, X: list[list[float]], y: list[float]) -> Value:
    """mean(relu(1 − yᵢ·sᵢ)) + α·Σθ² with one `dot` per margin and one `dot` for Σθ²."""
    scores = model.forward_batch(X)
    margins = [dot([s], [-yi], 1.0).relu() for s, yi in zip(scores, y)]
    params = model.parameters()
    return sum_of(margins) * (1.0 / len(margins)) + ALPHA * dot(params, params)


def our_step(model: Any, X: list[list[float]], y: list[float], lr: float = 1.0) -> float:
    loss = our_loss(model, X, y)
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


# -- micrograd's side (its demo notebook, written against its API) -----------------------------------


def micrograd_parts() -> tuple[Any, Any] | None:
    try:
        from micrograd.engine import Value as MgValue
        from micrograd.nn import MLP as MgMLP
    except ImportError:
        return None
    return MgValue, MgMLP


def mg_loss(mg: tuple[Any, Any], model: Any, X: list[list[float]], y: list[float]) -> Any:
    MgValue = mg[0]
    scores = [model([MgValue(a) for a in row]) for row in X]
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + ALPHA * sum(p * p for p in model.parameters())


def mg_step(mg: tuple[Any, Any], model: Any, X: list[list[float]], y: list[float], lr: float = 1.0) -> float:
    loss = mg_loss(mg, model, X, y)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


# -- measurements -----------------------------------------------------------------------------------------


def time_steps(steps: Sequence[Callable[[], object]], repeats: int, gc_on: bool) -> list[float]:
    """Median seconds per step of each step function, run interleaved (A, B, A, B, ...) so that
    both see the same machine load; one untimed warm-up step each first."""
    gc.collect()
    (gc.enable if gc_on else gc.disable)()
    try:
        times: list[list[float]] = [[] for _ in steps]
        for step in steps:
            step()
        for _ in range(repeats):
            for step, record in zip(steps, times):
                t0 = _clock()
                step()
                record.append(_clock() - t0)
                if not gc_on:
                    gc.collect()  # untimed: micrograd leaves cycles behind when the collector is off
        return [statistics.median(record) for record in times]
    finally:
        gc.enable()


def graph_nodes(root: Any) -> list[Any]:
    """Every node reachable from root through `_prev` (works for both engines)."""
    seen = {id(root)}
    order = [root]
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                order.append(child)
                stack.append(child)
    return order


def traced_bytes(build: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes still allocated after `build()` (its result kept alive), measured by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = build()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before, result
    finally:
        tracemalloc.stop()


def chain(n: int) -> tuple[Value, Value]:
    """y = x + x + … + x: a chain of n binary nodes, each one deeper; dy/dx = n + 1."""
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y + x
    return x, y


def backward_ns_per_node(n: int, repeats: int) -> tuple[float, float]:
    """(median, min) backward time per node of an n-node chain, gc on; graphs built untimed."""
    times = []
    for _ in range(repeats):
        x, y = chain(n)
        t0 = _clock()
        y.backward()
        times.append(_clock() - t0)
        assert x.grad == n + 1, (x.grad, n + 1)
        del x, y
    return statistics.median(times) / n * 1e9, min(times) / n * 1e9


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# -- main ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a 1e5-node long chain")
    args = parser.parse_args(argv)
    repeats_on, repeats_off = (3, 5) if args.quick else (5, 9)
    long_chain = 100_000 if args.quick else 1_000_000

    print(f"Python {sys.version.split()[0]}; times are CPU time (time.process_time)")
    print(f"workload: MLP(2, {SIZES}), {N_POINTS} two-moons points, SVM max-margin loss + 1e-4·L2,")
    print("one SGD step (forward, zero_grad, backward, update)")
    X, y = make_moons(N_POINTS)
    model, model_kind = our_model()
    print(f"our model: {model_kind}")

    mg = micrograd_parts()
    results: dict[str, tuple[float, bool] | None] = {}
    if mg is None:
        print("micrograd is not installed: `pip install micrograd==0.1.0` to compare; our side only.")
        mg_model = None
    else:
        random.seed(1337)
        mg_model = mg[1](2, SIZES)
        mg_params, ours = mg_model.parameters(), model.parameters()
        assert len(mg_params) == len(ours) == 337, (len(mg_params), len(ours))
        for p, q in zip(ours, mg_params):
            p.data = float(q.data)  # equal weights
        our_l, mg_l = our_loss(model, X, y), mg_loss(mg, mg_model, X, y)
        our_l.backward()
        mg_model.zero_grad()
        mg_l.backward()
        assert abs(our_l.data - mg_l.data) <= 1e-12 * max(1.0, abs(mg_l.data)), (our_l.data, mg_l.data)
        grad_gap = max(abs(p.grad - q.grad) for p, q in zip(ours, mg_params))
        assert grad_gap <= 1e-12, grad_gap
        print(f"equal weights: loss {our_l.data:.15f} (ours) vs {mg_l.data:.15f} (micrograd), ", end="")
        print(f"max |Δgrad| = {grad_gap:.1e}")
        del our_l, mg_l
        for p in ours:
            p.grad = 0.0

    print("\n== time per training step (median, the two engines interleaved)")
    for label, gc_on, repeats in (("gc on ", True, repeats_on), ("gc off", False, repeats_off)):
        if mg is None:
            (t_ours,) = time_steps([lambda: our_step(model, X, y)], repeats, gc_on)
            print(f"{label}: ours {t_ours * 1e3:7.1f} ms")
            continue
        t_ours, t_mg = time_steps(
            [lambda: our_step(model, X, y), lambda: mg_step(mg, mg_model, X, y)], repeats, gc_on
        )
        ratio = t_mg / t_ours
        target = TARGETS["gc_on" if gc_on else "gc_off"]
        results[label] = (ratio, ratio >= target)
        print(
            f"{label}: ours {t_ours * 1e3:7.1f} ms, micrograd {t_mg * 1e3:7.1f} ms, "
            f"speed-up {ratio:5.1f}x (target ≥{target:g}x) {verdict(ratio >= target)}"
        )

    print("\n== memory (tracemalloc)")
    loss_bytes, loss = traced_bytes(lambda: our_loss(model, X, y))
    params = {id(p) for p in model.parameters()}
    new_nodes = [n for n in graph_nodes(loss) if id(n) not in params]
    per_node = loss_bytes / len(new_nodes)
    print(f"MLP-step graph (ours): {len(new_nodes)} new nodes, {loss_bytes / 1e6:.2f} MB, ", end="")
    print(f"{per_node:.0f} bytes/node (grads not yet allocated)")
    del loss
    if mg is not None:
        mg_bytes, mg_l = traced_bytes(lambda: mg_loss(mg, mg_model, X, y))
        mg_nodes = len(graph_nodes(mg_l)) - 337
        print(f"MLP-step graph (micrograd): {mg_nodes} new nodes, {mg_bytes / 1e6:.2f} MB, ", end="")
        print(f"{mg_bytes / mg_nodes:.0f} bytes/node; ours is {mg_bytes / loss_bytes:.1f}x smaller in total")
        del mg_l
    n_mem = 100_000
    chain_bytes, kept = traced_bytes(lambda: chain(n_mem))
    chain_per_node = chain_bytes / n_mem
    print(f"chain of {n_mem} binary nodes y = y + x: {chain_per_node:.0f} bytes/node")
    del kept
    const_bytes, kept = traced_bytes(lambda: _const_chain(n_mem))
    print(f"chain of {n_mem} ops y = y + 1.0 (each wraps a const leaf): {const_bytes / n_mem:.0f} bytes/op")
    del kept
    target = TARGETS["bytes_per_node"]
    for name, value in (("MLP-step graph", per_node), ("binary chain", chain_per_node)):
        print(f"bytes/node {name}: {value:.0f} (target ≤{target:g}) {verdict(value <= target)}")
        results[f"bytes {name}"] = (value, value <= target)

    print("\n== backward time per node, chain y = y + x (gc on; median of repeats, min in brackets)")
    short, short_min = backward_ns_per_node(10_000, 15)
    long, long_min = backward_ns_per_node(long_chain, 3 if args.quick else 5)
    ratio = long / short
    ok = ratio <= TARGETS["chain_ratio"]
    print(
        f"1e4 nodes: {short:.0f} ns/node [{short_min:.0f}]; {long_chain:.0e} nodes: {long:.0f} ns/node ",
        end="",
    )
    print(f"[{long_min:.0f}]; ratio {ratio:.2f} [{long_min / short_min:.2f}] ", end="")
    print(f"(target ≤{TARGETS['chain_ratio']:g}) {verdict(ok)}")
    results["chain ratio"] = (ratio, ok)

    print("\n== summary")
    for name, res in results.items():
        if res is not None:
            print(f"{name.strip():<22} {res[0]:8.2f}  {verdict(res[1])}")
    return 0


def _const_chain(n: int) -> Value:
    y = Value(0.5)
    for _ in range(n):
        y = y + 1.0
    return y


if __name__ == "__main__":
    sys.exit(main())
