"""The docs check themselves: the tutorial runs, every link in the maps points at real code.

- `docs/tutorial.md`: its ```python blocks run in order in one namespace, in a temporary folder.
- `docs/lecture_map.md` and `docs/reading_path.md`: every backticked ``path::qualname`` names an
  existing file and a function/class/method in it (read with `ast`, nothing imported), every test
  named exists, every demo is one of `micrograd_tips.cli.DEMOS`.
- Every public module-level function and class of the package has a docstring.
"""

from __future__ import annotations

import ast
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from micrograd_tips.cli import DEMOS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "micrograd_tips"


# ---------------------------------------------------------------------------------------------
# Running the Python blocks of a Markdown file
# ---------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^```(\S*)\s*$")


@dataclass
class CodeBlock:
    line: int  # 1-based line of the first code line in the Markdown file
    code: str


def python_blocks(markdown: str) -> list[CodeBlock]:
    """The ```python blocks of a Markdown text, with the line where each one's code starts."""
    blocks: list[CodeBlock] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError(f"unclosed code fence opened at line {i + 1}")
        if match.group(1) == "python":
            blocks.append(CodeBlock(start + 1, "\n".join(lines[start:end]) + "\n"))
        i = end + 1
    return blocks


def run_blocks(blocks: list[CodeBlock], filename: str) -> dict[str, object]:
    """Exec the blocks in order in one namespace; a failure names the block's line in `filename`.

    Each block is compiled with its own Markdown line offset, so tracebacks point into the doc.
    """
    namespace: dict[str, object] = {"__name__": "__doc_tutorial__"}
    for block in blocks:
        source = "\n" * (block.line - 1) + block.code  # line numbers = Markdown line numbers
        try:
            exec(compile(source, filename, "exec"), namespace)
        except BaseException as error:  # any failure, including assert and SystemExit
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            raise AssertionError(
                f"{filename}: the python block starting at line {block.line} failed: {detail}\n"
                + "".join(traceback.format_tb(error.__traceback__)[1:])
            ) from error
    return namespace


def test_tutorial_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks((DOCS / "tutorial.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 10, f"expected the tutorial's code blocks, found {len(blocks)}"
    monkeypatch.chdir(tmp_path)
    run_blocks(blocks, "docs/tutorial.md")
    # The figures the tutorial promises are written to the cwd and are real SVG.
    for name in ("neuron.svg", "maxout.svg"):
        assert "<svg" in (tmp_path / name).read_text(encoding="utf-8"), name


def test_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "the README's first example is gone"
    namespace = run_blocks(blocks, "README.md")
    assert abs(namespace["w1"].grad - 1.0) < 1e-12  # type: ignore[attr-defined]
    assert (tmp_path / "neuron.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_tutorial_covers_the_brief() -> None:
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    for needle in (
        "draw_dot",
        "render(",
        "optim.SGD",
        "optim.Momentum",
        "optim.Adagrad",
        "optim.RMSprop",
        "optim.Adam",
        "relu_like",
        "last_winners",
        'scaling="lecture"',
        'scaling="inverted"',
        "ensemble_average",
    ):
        assert needle in text, f"docs/tutorial.md no longer shows {needle}"


def test_runner_reports_the_failing_line() -> None:
    markdown = "# t\n\n```python\nx = 1\n```\n\ntext\n\n```python\ny = x + 1\nassert y == 3\n```\n"
    blocks = python_blocks(markdown)
    assert [b.line for b in blocks] == [4, 10]
    with pytest.raises(AssertionError, match=r"block starting at line 10 failed") as info:
        run_blocks(blocks, "t.md")
    assert 't.md", line 11' in str(info.value)  # the traceback points at the assert's line


def test_runner_skips_other_languages_and_rejects_unclosed_fences() -> None:
    blocks = python_blocks("```bash\nexit 1\n```\n```python\nz = 2\n```\n")
    assert [b.code for b in blocks] == ["z = 2\n"]
    assert run_blocks(blocks, "t.md")["z"] == 2
    with pytest.raises(ValueError, match="unclosed code fence opened at line 1"):
        python_blocks("```python\nx = 1\n")


# ---------------------------------------------------------------------------------------------
# Links: `path::qualname` to code and tests, demo names
# ---------------------------------------------------------------------------------------------

LINK = re.compile(r"`([\w./-]+\.py)::([\w.]+)`")
DEMO_COMMAND = re.compile(r"micrograd-tips demo ([\w-]+)")
_trees: dict[Path, ast.Module] = {}


def _tree(path: Path) -> ast.Module:
    if path not in _trees:
        _trees[path] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return _trees[path]


def _defined_names(body: list[ast.stmt]) -> dict[str, ast.AST]:
    """Functions, classes and assigned names defined directly in `body` (a module or class body)."""
    names: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def resolve(path: str, qualname: str) -> ast.AST:
    """The ast node `qualname` (``name`` or ``Class.member``) of the repository file `path`.

    Raises LookupError naming the broken part of the link.
    """
    file = ROOT / path
    if not file.is_file():
        raise LookupError(f"`{path}::{qualname}`: the file {path} does not exist")
    body: list[ast.stmt] = _tree(file).body
    node: ast.AST | None = None
    done: list[str] = []
    for part in qualname.split("."):
        names = _defined_names(body)
        if part not in names:
            where = f"class {'.'.join(done)}" if done else "module level"
            raise LookupError(f"`{path}::{qualname}`: no {part!r} at {where} in {path}")
        node = names[part]
        done.append(part)
        body = node.body if isinstance(node, ast.ClassDef) else []
    assert node is not None
    return node


def check_code_link(path: str, qualname: str, folders: tuple[str, ...]) -> None:
    if not path.startswith(folders):
        raise LookupError(f"`{path}::{qualname}`: expected a file under {' or '.join(folders)}")
    resolve(path, qualname)


def check_test_link(path: str, qualname: str) -> None:
    if not path.startswith("tests/test_"):
        raise LookupError(f"`{path}::{qualname}`: a proof must be a test file tests/test_*.py")
    node = resolve(path, qualname)
    name = qualname.rsplit(".", 1)[-1]
    if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and name.startswith("test")):
        raise LookupError(f"`{path}::{qualname}`: not a test function (def test_...)")


def check_demo(name: str) -> None:
    if name not in DEMOS:
        raise LookupError(f"demo {name!r} is not in micrograd_tips.cli.DEMOS ({', '.join(DEMOS)})")
    script = ROOT / "demos" / DEMOS[name][0]
    if not script.is_file():
        raise LookupError(f"demo {name!r}: its script demos/{DEMOS[name][0]} does not exist")


def _report(doc: str, broken: list[str]) -> None:
    if broken:
        pytest.fail(f"{doc}: {len(broken)} broken link(s):\n  " + "\n  ".join(broken), pytrace=False)


def _try(broken: list[str], where: str, check: Callable[..., None], *args: object) -> None:
    try:
        check(*args)
    except LookupError as error:
        broken.append(f"{where}: {error}")


def test_resolver_finds_and_rejects_names() -> None:
    assert isinstance(resolve("micrograd_tips/engine.py", "Value.backward"), ast.FunctionDef)
    assert isinstance(resolve("micrograd_tips/engine.py", "_UNARY"), ast.AnnAssign)
    with pytest.raises(LookupError, match="no 'nope' at class Value"):
        resolve("micrograd_tips/engine.py", "Value.nope")
    with pytest.raises(LookupError, match="does not exist"):
        resolve("micrograd_tips/no_such_file.py", "x")
    with pytest.raises(LookupError, match="not a test function"):
        check_test_link("tests/test_docs.py", "python_blocks")
    with pytest.raises(LookupError, match=r"not in micrograd_tips\.cli\.DEMOS"):
        check_demo("no-such-demo")


def test_reading_path_links() -> None:
    text = (DOCS / "reading_path.md").read_text(encoding="utf-8")
    broken: list[str] = []
    links = [(text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)) for m in LINK.finditer(text)]
    assert len(links) >= 40, f"expected the reading path's file::function links, found {len(links)}"
    for line, path, qualname in links:
        _try(broken, f"line {line}", check_code_link, path, qualname, ("micrograd_tips/",))
    demos = DEMO_COMMAND.findall(text)
    for name in demos:
        _try(broken, "command", check_demo, name)
    missing = sorted(set(DEMOS) - set(demos))
    if missing:
        broken.append(f"no step shows the demo(s) {missing}")
    _report("docs/reading_path.md", broken)


# ---------------------------------------------------------------------------------------------
# Every public function and class of the package has a docstring
# ---------------------------------------------------------------------------------------------


def _literal_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    return None


def _imported_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def docstring_problems(path: Path, root: Path = ROOT) -> list[str]:
    """`file::name → problem` for the public module-level functions/classes of one file.

    Public = listed in ``__all__`` when the module has one, else not underscore-prefixed. A name
    in ``__all__`` that the module neither defines nor imports is reported too.
    """
    tree = _tree(path)
    rel = path.relative_to(root).as_posix()
    defined = _defined_names(tree.body)
    exported = _literal_all(tree)
    public = exported if exported is not None else [n for n in defined if not n.startswith("_")]
    problems = []
    for name in public:
        node = defined.get(name)
        if node is None:
            if name not in _imported_names(tree):
                problems.append(f"{rel}::{name} → listed in __all__ but not defined")
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not (ast.get_docstring(node) or "").strip():
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                problems.append(f"{rel}::{name} → {kind} without a docstring")
    return problems


def test_docstring_checker_catches_a_missing_docstring(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        'import os\n__all__ = ["f", "G", "os", "ghost"]\n\n'
        'def f():\n    """ok"""\n\nclass G:\n    pass\n\ndef h():\n    pass\n'
    )
    assert docstring_problems(probe, tmp_path) == [
        "probe.py::G → class without a docstring",
        "probe.py::ghost → listed in __all__ but not defined",
    ]  # h is not in __all__, os is a re-export
    no_all = tmp_path / "no_all.py"
    no_all.write_text('def shown():\n    pass\n\ndef _hidden():\n    pass\n\nclass Doc:\n    """d"""\n')
    assert docstring_problems(no_all, tmp_path) == ["no_all.py::shown → function without a docstring"]


def _public_modules() -> list[Path]:
    """The package's modules, without private ones (``_name.py``; ``__init__``/``__main__`` count)."""
    files = sorted(PACKAGE.rglob("*.py"))
    return [f for f in files if not f.stem.startswith("_") or f.stem.startswith("__")]


def test_every_public_function_and_class_has_a_docstring() -> None:
    files = _public_modules()
    assert len(files) >= 20, f"expected the package's modules under {PACKAGE}, found {len(files)}"
    problems = [p for f in files for p in docstring_problems(f)]
    if problems:
        pytest.fail("public names without a docstring:\n  " + "\n  ".join(problems), pytrace=False)


# ---------------------------------------------------------------------------------------------
# The lecture map: one table row per lecture topic
# ---------------------------------------------------------------------------------------------

SECTIONS = {"0", "A1", "A2", "A3", "A4", "B1", "B2", "B3"}
MAP_HEADER = ["Section", "Lecture topic", "Implementation", "Proof (test)", "Demo"]
REQUIRED_TOPICS = {  # what the lecture covers → a pattern its row's topic must match
    "the recipe": r"\bthe recipe\b",
    "do not always blame overfitting": r"blame overfitting",
    "vanishing gradient": r"^vanishing gradient",
    "ReLU and its four reasons": r"^ReLU and its four reasons",
    "Leaky ReLU": r"^Leaky ReLU",
    "Parametric ReLU": r"^Parametric ReLU",
    "Maxout": r"^Maxout",
    "ReLU is a special case of Maxout": r"^ReLU is a special case",
    "training Maxout": r"^Training Maxout",
    "Adagrad": r"^Adagrad",
    "RMSProp": r"^RMSProp",
    "local minima and saddle points": r"saddle point.*local minimum",
    "Momentum": r"^Momentum",
    "Adam": r"^Adam",
    "early stopping": r"^Early stopping",
    "L1": r"^L1",
    "L2": r"^L2",
    "dropout training": r"^Dropout training",
    "dropout testing": r"^Dropout testing",
    "dropout as an ensemble": r"^Dropout is a kind of ensemble",
    "dropout's linear example": r"^The linear example",
}


@dataclass
class MapRow:
    line: int
    cells: list[str]


def map_rows(markdown: str) -> list[MapRow]:
    """The body rows of the first Markdown table whose header is MAP_HEADER."""
    rows: list[MapRow] = []
    in_table = False
    for number, line in enumerate(markdown.splitlines(), 1):
        if not line.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:
            if cells != MAP_HEADER:
                raise ValueError(f"line {number}: table header {cells}; expected {MAP_HEADER}")
            in_table = True
        elif not all(set(c) <= set("-: ") for c in cells):
            if len(cells) != len(MAP_HEADER):
                raise ValueError(f"line {number}: {len(cells)} cells; expected {len(MAP_HEADER)}")
            rows.append(MapRow(number, cells))
    return rows


def _backticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def map_problems(rows: list[MapRow]) -> list[str]:
    """Every broken link or malformed cell of the map, as `line N: what is wrong`."""
    broken: list[str] = []
    for row in rows:
        where = f"line {row.line}"
        section, topic, code, proof, demo = row.cells
        if section not in SECTIONS:
            broken.append(f"{where}: section {section!r}; expected one of {sorted(SECTIONS)}")
        for column, cell in (("Implementation", code), ("Proof (test)", proof)):
            items = _backticked(cell)
            if not items:
                broken.append(f"{where}: the {column} cell of {topic!r} names nothing")
            for item in items:
                path, sep, qualname = item.partition("::")
                if not sep or not LINK.fullmatch(f"`{item}`"):
                    broken.append(f"{where}: `{item}` is not a `path::qualname` link")
                elif column == "Implementation":
                    _try(broken, where, check_code_link, path, qualname, ("micrograd_tips/", "demos/"))
                else:
                    _try(broken, where, check_test_link, path, qualname)
        names = _backticked(demo)
        if not names:
            broken.append(f"{where}: no demo for {topic!r}")
        for name in names:
            _try(broken, where, check_demo, name)
    return broken


def test_demo_commands_in_every_doc_name_real_demos() -> None:
    broken: list[str] = []
    for doc in ("tutorial.md", "reading_path.md", "lecture_map.md"):
        for name in DEMO_COMMAND.findall((DOCS / doc).read_text(encoding="utf-8")):
            if name != "NAME":  # the placeholder in `micrograd-tips demo NAME --quick`
                _try(broken, doc, check_demo, name)
    _report("docs", broken)


def test_map_parser_and_checker_find_broken_cells() -> None:
    table = "\n".join(
        [
            "| " + " | ".join(MAP_HEADER) + " |",
            "|---|---|---|---|---|",
            "| A4 | Adam | `micrograd_tips/optim.py::Adam` | "
            "`tests/test_docs.py::test_map_parser_and_checker_find_broken_cells` | `optimizers` |",
            "| C9 | Bad | `micrograd_tips/optim.py::Nope`, `optim.py:Adam` | "
            "`tests/test_docs.py::map_rows` | `no-demo` |",
            "",
            "| not | the table |",
        ]
    )
    rows = map_rows(table)
    assert [r.line for r in rows] == [3, 4]
    problems = map_problems(rows[:1])
    assert all("demos/optimizers.py" in p for p in problems), problems  # only a missing script
    problems = [p for p in map_problems(rows[1:]) if "line 4" in p]
    assert any("section 'C9'" in p for p in problems)
    assert any("no 'Nope' at module level" in p for p in problems)
    assert any("`optim.py:Adam` is not a `path::qualname` link" in p for p in problems)
    assert any("not a test function" in p for p in problems)
    assert any("'no-demo' is not in micrograd_tips.cli.DEMOS" in p for p in problems)
    with pytest.raises(ValueError, match="expected"):
        map_rows("| a | b |\n|---|---|\n")


def test_lecture_map_links() -> None:
    rows = map_rows((DOCS / "lecture_map.md").read_text(encoding="utf-8"))
    _report("docs/lecture_map.md", map_problems(rows))


def test_lecture_map_covers_every_lecture_topic() -> None:
    rows = map_rows((DOCS / "lecture_map.md").read_text(encoding="utf-8"))
    topics = [row.cells[1] for row in rows]
    missing = [
        name
        for name, pattern in REQUIRED_TOPICS.items()
        if not any(re.search(pattern, t, re.IGNORECASE) for t in topics)
    ]
    assert not missing, f"docs/lecture_map.md has no row for: {missing}"
    assert set(DEMOS) - {"graph"} <= {n for row in rows for n in _backticked(row.cells[4])}
