"""What every demo shares: command-line entry, progress bars, figures (PNG + SVG, no GUI).

`save_figure` also guarantees that no panel's labels run into another panel: if any two axes'
drawn extents (ticks, labels, titles) overlap, the figure is laid out again with Matplotlib's
constrained layout before it is saved.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from micrograd_tips.cli import CommandError, check_out_dir, check_seed_arg, run_timed
from micrograd_tips.report import DemoResult

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """A tqdm progress bar on stderr when tqdm is installed and stderr is a terminal."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        yield from items
        return
    yield from tqdm(items, desc=desc, total=total, leave=False, disable=not sys.stderr.isatty())


def pyplot() -> Any:
    """matplotlib.pyplot with the non-interactive Agg backend (no display needed)."""
    try:
        import matplotlib
    except ImportError as e:
        message = 'the demos draw with matplotlib: pip install "micrograd-tips[plots]"'
        raise ModuleNotFoundError(message, name="matplotlib") from e
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def overlapping_axes(fig: Any, tolerance: float = 1.0) -> list[tuple[Any, Any]]:
    """Pairs of a figure's axes whose drawn extents (with tick labels, labels, title) overlap.

    Axes stacked on purpose (``twinx``: the same position) do not count; `tolerance` is in pixels.
    """
    if not hasattr(fig.canvas, "get_renderer"):  # a closed figure: draw it on an off-screen canvas
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    boxes = [ax.get_tightbbox(renderer) for ax in axes]
    pairs = []
    for i, (a, box_a) in enumerate(zip(axes, boxes)):
        for b, box_b in zip(axes[i + 1 :], boxes[i + 1 :]):
            if box_a is None or box_b is None or a.get_position().bounds == b.get_position().bounds:
                continue
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > tolerance and height > tolerance:
                pairs.append((a, b))
    return pairs


def save_figure(fig: Any, out_dir: Path, stem: str) -> list[Path]:
    """Save a matplotlib figure as out_dir/stem.png and .svg; returns [png, svg].

    A figure whose panels overlap (a label cut off by the next panel) is re-laid out with
    constrained layout first; if they still overlap, ValueError names the figure.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    if overlapping_axes(fig):
        fig.set_layout_engine("constrained")
        clash = overlapping_axes(fig)
        if clash:
            a, b = clash[0]
            raise ValueError(
                f"figure {stem!r}: panels {a.get_title()!r} and {b.get_title()!r} overlap even with "
                "constrained layout; give the figure more room (figsize) or shorter labels"
            )
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.svg"]
    for p in paths:
        fig.savefig(p, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return paths


def main(run: Callable[..., DemoResult], description: str) -> None:
    """`python demos/NAME.py [--quick] [--out DIR] [--seed N]`, the same as `micrograd-tips demo NAME`.

    A bad --out or --seed ends in one line on stderr (the command line's checks), not a traceback.
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes: under a minute")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out/)")
    p.add_argument("--seed", type=int, default=0, help="random seed, an int ≥ 0 (default 0)")
    args = p.parse_args()
    name = Path(sys.argv[0]).stem.replace("_", "-")
    try:
        seed = check_seed_arg(args.seed)
        out = check_out_dir(args.out)
    except CommandError as error:
        p.exit(error.status, f"{p.prog}: error: {error}\n")
    run_timed(run, out / name, args.quick, seed)
