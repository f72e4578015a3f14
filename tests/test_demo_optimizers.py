"""The `optimizers` demo (lecture A4) in quick mode: plateau, saddle point, MNIST; and its surface."""

from __future__ import annotations

import math

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips import Value  # noqa: E402
from micrograd_tips.cli import load_demo, run_demo  # noqa: E402

FIVE = ("SGD", "Momentum", "Adagrad", "RMSProp", "Adam")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("optimizers", tmp_path_factory.mktemp("out"), quick=True, seed=0)


@pytest.fixture(scope="module")
def demo():
    return load_demo("optimizers")


def test_writes_every_figure_as_png_and_svg(result) -> None:
    names = {p.name for p in result.figures}
    for stem in ("optimizers_surface", "optimizers_surface_loss", "optimizers_mnist"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    for path in result.figures:
        assert path.is_file() and path.stat().st_size > 1000, path
    assert result.rows and result.conclusion


def test_sgd_stays_at_the_saddle_while_momentum_and_adam_escape(result) -> None:
    c, level = result.checks, result.checks["saddle_level"]
    assert c["saddle_final_SGD"] > 0.9 * level  # still at the saddle's height
    for name in ("Momentum", "RMSProp", "Adam"):
        assert c[f"saddle_final_{name}"] < 0.1 * level
        assert c[f"saddle_escape_{name}"] < c["saddle_escape_SGD"] / 2


def test_adaptive_steps_cross_the_plateau_where_sgd_crawls(result) -> None:
    c, start = result.checks, result.checks["plateau_start_loss"]
    assert c["plateau_final_SGD"] > 0.95 * start
    for name in ("RMSProp", "Adam"):
        assert c[f"plateau_final_{name}"] < 0.01
        assert c[f"plateau_escape_{name}"] < c["plateau_escape_SGD"] / 5


def test_pytorch_conventions_where_they_differ(result, demo) -> None:
    c = result.checks
    assert c["momentum_vs_sgd_momentum"] < 1e-12  # v = −η·b: the same path
    assert c["rmsprop_first_step_lecture"] == pytest.approx(1.0, abs=1e-9)  # σ⁰ = |g⁰|: step η
    # PyTorch: v₁ = (1 − α)g², step η·|g|/(√v₁ + ε) = η·|g|/(0.1·|g| + 1e−8) ≈ 10η
    x, y = (Value(v) for v in demo.STARTS["plateau"])
    demo.surface(x, y).backward()
    expected = max(abs(g) / (math.sqrt(0.01) * abs(g) + 1e-8) for g in (x.grad, y.grad))
    assert c["rmsprop_first_step_torch"] == pytest.approx(expected, rel=1e-9)
    assert c["rmsprop_first_step_torch"] == pytest.approx(10.0, rel=1e-3)
    assert 0 < c["adagrad_vs_torch_adagrad"] < 1e-3  # only the ε differs


def test_every_optimizer_lowers_the_mnist_loss(result) -> None:
    c = result.checks
    assert c["mnist_initial_loss"] == pytest.approx(math.log(10), rel=0.25)  # ≈ chance at the start
    for name in FIVE:
        assert c[f"mnist_final_{name}"] < 0.3 * c["mnist_initial_loss"]


def test_adaptive_optimizers_beat_plain_sgd_on_mnist(result) -> None:
    for name in ("Adagrad", "RMSProp", "Adam"):
        assert result.checks[f"mnist_final_{name}"] < 0.95 * result.checks["mnist_final_SGD"]


# ---- the surface, against closed forms and finite differences ------------------------------


def test_surface_has_its_minima_saddle_and_plateau(demo) -> None:
    f = demo.surface
    assert f(0.0, 1.0) == 0.0 and f(0.0, -1.0) == 0.0
    assert f(0.0, 0.0) == pytest.approx(1 - math.exp(-0.25), abs=1e-15) == demo.SADDLE_LEVEL
    h = 1e-4  # curvature by central differences: up along x, down along y at the saddle
    assert (f(h, 0.0) - 2 * f(0.0, 0.0) + f(-h, 0.0)) / h**2 > 0.1
    assert (f(0.0, h) - 2 * f(0.0, 0.0) + f(0.0, -h)) / h**2 < -0.1
    assert 0.99 < f(*demo.STARTS["plateau"]) < 1.0


@pytest.mark.parametrize("point", [(4.5, -0.4), (-2.0, 1e-5), (0.3, 0.7)])
def test_surface_gradient_from_the_engine_matches_finite_differences(demo, point) -> None:
    x, y = Value(point[0]), Value(point[1])
    demo.surface(x, y).backward()
    h, f = 1e-6, demo.surface
    fd_x = (f(point[0] + h, point[1]) - f(point[0] - h, point[1])) / (2 * h)
    fd_y = (f(point[0], point[1] + h) - f(point[0], point[1] - h)) / (2 * h)
    assert x.grad == pytest.approx(fd_x, rel=1e-6, abs=1e-10)
    assert y.grad == pytest.approx(fd_y, rel=1e-6, abs=1e-10)


def test_escape_step_is_the_first_step_below_the_level(demo) -> None:
    assert demo.escape_step(np.array([1.0, 0.8, 0.4, 0.6, 0.1]), 0.5) == 2
    assert demo.escape_step(np.array([1.0, 0.9]), 0.5) is None


def test_mnist_training_is_reproducible(demo) -> None:
    from micrograd_tips.data import load_mnist_5k

    data = load_mnist_5k(seed=1)
    orders = [np.random.default_rng(1).permutation(len(data.y_train))[:640]]
    a = demo.train_mnist("Adam", 1e-2, data, orders, seed=1)
    b = demo.train_mnist("Adam", 1e-2, data, orders, seed=1)
    assert a.batch_losses == b.batch_losses and a.final_loss == b.final_loss
    assert a.batch_losses[-1] < a.batch_losses[0]
