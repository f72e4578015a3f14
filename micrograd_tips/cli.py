"""The `micrograd-tips` command (also `python -m micrograd_tips`).

    micrograd-tips list                                  the demos, one per lecture idea
    micrograd-tips demo NAME [--quick] [--out DIR] [--seed N]
    micrograd-tips tour [--quick] [--out DIR] [--seed N] all demos + DIR/index.html
    micrograd-tips graph [--out FILE]                    draw a neuron's graph after backward

The demos are the scripts in the repository's `demos/` folder (one file per idea); they ship
with the source checkout, so install with ``pip install -e .`` from a clone.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from .report import DemoResult, write_index

# name on the command line → (file in demos/, one-line description)
DEMOS: dict[str, tuple[str, str]] = {
    "recipe": ("recipe.py", "0  do not always blame overfitting: diagnose() on two cases"),
    "vanishing": ("vanishing.py", "A1 training accuracy vs depth, sigmoid vs ReLU; per-layer gradients"),
    "activations": ("activations.py", "A2 sigmoid, tanh, ReLU, Leaky ReLU, PReLU (learned α), ELU"),
    "maxout": ("maxout.py", "A3 learned activations, Maxout vs ReLU, the thin linear network"),
    "optimizers": ("optimizers.py", "A4 SGD, Momentum, Adagrad, RMSProp, Adam: paths and MNIST curves"),
    "early-stopping": ("early_stopping.py", "B1 train/validation curves, stop epoch, restored weights"),
    "regularization": ("regularization.py", "B2 L1 vs L2 vs none: weight histograms, sparsity"),
    "dropout": ("dropout.py", "B3 train/test gap, the ensemble identity, lecture vs inverted scaling"),
    "graph": ("graph.py", "the computation graph of a neuron and of a small MLP, rendered"),
}


def demos_dir() -> Path:
    """The repository's demos/ folder (next to the package in a source checkout)."""
    here = Path(__file__).resolve().parent.parent / "demos"
    if not here.is_dir():
        raise FileNotFoundError(
            f"the demos folder was not found at {here}: the demos ship with the source checkout; "
            "clone the repository and install it with `pip install -e .`"
        )
    return here


def load_demo(name: str) -> ModuleType:
    """Import demos/<file>.py for the demo `name`; an unknown name lists the valid ones."""
    if name not in DEMOS:
        raise SystemExit(f"unknown demo {name!r}; choose one of: {', '.join(DEMOS)}")
    folder = demos_dir()
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # the demos share demos/_common.py
    path = folder / DEMOS[name][0]
    spec = importlib.util.spec_from_file_location(f"micrograd_tips_demo_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look the module up by name
    spec.loader.exec_module(module)
    return module


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit NumPy's BLAS to one thread (when threadpoolctl is installed).

    The demos multiply small matrices, where a second BLAS thread costs more in synchronisation
    than it saves — and on a busy 2-core machine it can be 10-40x slower. Same numbers either way.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1):
        yield


def run_timed(run: Callable[..., DemoResult], out_dir: Path, quick: bool, seed: int) -> DemoResult:
    """Call a demo's ``run(out_dir=, quick=, seed=)`` with one BLAS thread, time it, print its summary."""
    start = time.perf_counter()
    with one_blas_thread():
        result = run(out_dir=out_dir, quick=quick, seed=seed)
    result.seconds = time.perf_counter() - start
    print(result.summary(), flush=True)
    return result


def run_demo(name: str, out: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    """Run one demo, writing its figures under out/<name>/, and print its summary table."""
    return run_timed(load_demo(name).run, Path(out) / name, quick, seed)


def _graph(out: Path) -> int:
    from .viz import draw_dot, render

    a, _ = load_demo("graph").neuron()  # a = tanh(x1·w1 + x2·w2 + b), after backward
    path = render(draw_dot(a), out)
    print(f"wrote {path}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="micrograd-tips", description="Tips for Training DNN, reproduced.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the demos")
    demo = sub.add_parser("demo", help="run one demo")
    demo.add_argument("name", help="demo name (see `micrograd-tips list`)")
    for s in (demo, sub.add_parser("tour", help="run every demo, write index.html")):
        s.add_argument("--quick", action="store_true", help="small sizes: under a minute per demo")
        s.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out/)")
        s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g = sub.add_parser("graph", help="draw a neuron's computation graph to a file")
    g.add_argument("--out", type=Path, default=Path("neuron.svg"), help="file to write (.svg or .png)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "list":
        for name, (_, about) in DEMOS.items():
            print(f"{name:15s} {about}")
        return 0
    if args.command == "graph":
        return _graph(args.out)
    if args.command == "demo":
        run_demo(args.name, args.out, quick=args.quick, seed=args.seed)
        return 0
    results = [run_demo(name, args.out, quick=args.quick, seed=args.seed) for name in DEMOS]
    index = write_index(results, args.out)
    total = sum(r.seconds for r in results)
    print(f"\ntour finished in {total:.0f} s; open {index}")
    return 0
