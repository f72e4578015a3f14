"""The command line: the demo registry, its errors (one line, never a traceback) and `graph`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import micrograd_tips
from micrograd_tips import cli, viz

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m micrograd_tips ARGS` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "micrograd_tips", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Failed with no traceback; the error is one line that contains every needle."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, done.stderr
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


def test_every_registered_demo_has_its_script_with_a_run_function() -> None:
    folder = cli.demos_dir()
    for name, (filename, about) in cli.DEMOS.items():
        source = (folder / filename).read_text(encoding="utf-8")
        assert "def run(" in source, f"demos/{filename} has no run()"
        assert about, name


def test_list_prints_every_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    printed = capsys.readouterr().out
    for name in cli.DEMOS:
        assert re.search(rf"^{re.escape(name)}\s", printed, re.M), name


def test_no_arguments_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("usage: micrograd-tips")
    for command in ("list", "demo", "tour", "graph"):
        assert re.search(rf"^\s+{command}\s", printed, re.M), command


def test_version() -> None:
    done = run_cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"micrograd-tips {micrograd_tips.__version__}"


def test_unknown_demo_suggests_the_closest_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "vanish"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "did you mean 'vanishing'?" in err
    assert "recipe, vanishing, activations" in err  # and it lists them all
    assert cli.main(["demo", "earlystoping"]) == 2
    assert "did you mean 'early-stopping'?" in capsys.readouterr().err


def test_a_mistyped_flag_gets_the_subcommands_usage_and_a_suggestion() -> None:
    done = run_cli("demo", "vanishing", "--qiuck")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: micrograd-tips demo "), done.stderr
    assert "unrecognized arguments: --qiuck; did you mean '--quick'?" in done.stderr
    done = run_cli("graph", "--output", "g.svg")
    assert done.stderr.startswith("usage: micrograd-tips graph "), done.stderr


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["graph", "--out", "g.pdf"], ["'.pdf'", ".svg, .png"]),
        (["graph", "--out", "/no/such/dir/g.svg"], ["/no/such/dir", "does not exist"]),
        (["graph", "--out", "g"], ["no file suffix"]),
        (["demo", "graph", "--out", "{file}"], ["is a file, not a folder"]),
        (["demo", "graph", "--out", "{file}/sub"], ["is a file, not a folder"]),
        (["demo", "early-stopping", "--seed", "-1"], ["--seed", "-1", ">= 0"]),
        (["tour", "--seed", "-3", "--out", "{tmp}/tour"], ["--seed", "-3"]),
    ],
)
def test_bad_paths_formats_and_seeds_are_one_line_errors(
    args: list[str], needles: list[str], tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    args = [a.format(file=a_file, tmp=tmp_path) for a in args]
    assert_one_line_error(run_cli(*args, cwd=tmp_path), *needles)
    assert a_file.read_text() == "not a folder"  # never overwritten
    assert not (tmp_path / "tour").exists()  # a bad seed is caught before anything is written


def test_graph_into_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["graph", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_graph_without_a_renderer_names_the_viz_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_renderer() -> str:
        raise RuntimeError(viz._INSTALL_HINT)

    monkeypatch.setattr(viz, "find_renderer", no_renderer)
    assert cli.main(["graph", "--out", str(tmp_path / "g.svg")]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert 'pip install "micrograd-tips[viz]"' in err
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize(
    ("missing", "command"),
    [("numpy", "demo"), ("matplotlib", "demo"), ("mlxtend", "demo"), ("numpy", "tour"), ("mlxtend", "tour")],
)
def test_a_missing_extra_names_the_pip_install(missing: str, command: str, tmp_path: Path) -> None:
    args = ["demo", "vanishing"] if command == "demo" else ["tour"]
    script = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if that extra were not installed\n"
        "from micrograd_tips.cli import main\n"
        f"sys.exit(main({args!r} + ['--quick', '--out', {str(tmp_path / 'out')!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert_one_line_error(done, missing, 'pip install "micrograd-tips[all]"')
    assert not (tmp_path / "out").exists()  # refused before anything ran


def test_a_demo_name_without_the_word_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["vanishing", "--quick"]) == 2
    assert "run `micrograd-tips demo vanishing --quick`" in capsys.readouterr().err


def installed_copy(tmp_path: Path) -> Path:
    """The package alone in a folder, as a non-editable install leaves it: no demos/ beside it."""
    site = tmp_path / "site-packages"
    shutil.copytree(
        ROOT / "micrograd_tips", site / "micrograd_tips", ignore=shutil.ignore_patterns("__pycache__")
    )
    return site


def test_graph_and_demo_after_a_non_editable_install(tmp_path: Path) -> None:
    site = installed_copy(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "PYTHONPATH": str(site)}
    done = run_cli("graph", "--out", "neuron.svg", cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    assert "<svg" in (work / "neuron.svg").read_text(encoding="utf-8")
    check = subprocess.run(
        [sys.executable, "-c", "import micrograd_tips; print(micrograd_tips.__file__)"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=60,
    )
    assert check.stdout.startswith(str(site)), check.stdout  # the copy ran, not the checkout
    line = assert_one_line_error(
        run_cli("demo", "recipe", cwd=work, env=env), "demos/", "clone", "pip install -e"
    )
    assert "source" in line


def test_python_m_draws_the_readme_neuron(tmp_path: Path) -> None:
    out = tmp_path / "neuron.svg"
    done = run_cli("graph", "--out", str(out))
    assert done.returncode == 0, done.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for label in ("x1", "w1", "tanh"):
        assert label in svg


def test_example_neuron_is_the_tanh_neuron_with_its_closed_form_gradients() -> None:
    a, nodes = cli.example_neuron()
    z = nodes["x1"].data * nodes["w1"].data + nodes["x2"].data * nodes["w2"].data + nodes["b"].data
    assert nodes["z"].data == pytest.approx(z, abs=1e-15)
    dz = 1 - a.data**2  # tanh' = 1 − tanh²
    for w, x in (("w1", "x1"), ("w2", "x2")):
        assert nodes[w].grad == pytest.approx(nodes[x].data * dz, abs=1e-12)
    assert nodes["b"].grad == pytest.approx(dz, abs=1e-12)


def test_graph_demo_backprop_matches_the_closed_form(tmp_path: Path) -> None:
    result = cli.run_demo("graph", tmp_path, quick=True)
    assert result.checks["neuron_w1_grad_error"] < 1e-12
    # MLP(2, [3, 1]): 3·(2 + 1) + (3 + 1) = 13 parameters; with input (1, −2) and fresh weights
    # at least the output layer's bias must have received a gradient.
    assert result.checks["mlp_grad_nonzero"] >= 1
    assert (result.seed, result.quick) == (0, True)
    for fig in result.figures:
        assert fig.is_file() and fig.stat().st_size > 0
