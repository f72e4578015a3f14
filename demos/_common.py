"""What every demo shares: command-line entry, progress bars, figures (PNG + SVG, no GUI)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from micrograd_tips.cli import run_timed
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
        raise ImportError('the demos draw with matplotlib: pip install "micrograd-tips[plots]"') from e
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, out_dir: Path, stem: str) -> list[Path]:
    """Save a matplotlib figure as out_dir/stem.png and .svg; returns [png, svg]."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.svg"]
    for p in paths:
        fig.savefig(p, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return paths


def main(run: Callable[..., DemoResult], description: str) -> None:
    """`python demos/NAME.py [--quick] [--out DIR] [--seed N]`, the same as `micrograd-tips demo NAME`."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes: under a minute")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out/)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    name = Path(sys.argv[0]).stem.replace("_", "-")
    run_timed(run, args.out / name, args.quick, args.seed)
