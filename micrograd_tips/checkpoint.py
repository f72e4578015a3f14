"""Save and load a model's parameters — JSON for scalar models, ``.npz`` for NumPy-backend ones.

Never pickle: a checkpoint holds only names, shapes and numbers.

* ``.json`` (scalar `Value` models, whose state dict holds nested lists of floats)::

      {"format": "micrograd_tips.checkpoint", "version": 1, "backend": "scalar",
       "shapes": {"layers.0.weight": [16, 2], ...}, "state": {"layers.0.weight": [[...], ...], ...}}

  Floats are written with ``repr`` precision (exact round trip); nan/inf as JSON's NaN/Infinity.
* ``.npz`` (NumPy-backend models, whose state dict holds arrays): one array per parameter name,
  plus ``__checkpoint__``, a string array with the same JSON header (format, version, backend,
  shapes). Read with ``allow_pickle=False``.

Files are written atomically: to a temporary file in the same directory, flushed to disk, then
moved over the target with ``os.replace`` (and the directory synced) — a crash never leaves a
half-written checkpoint.
`load` checks the file (format, version, every name and shape against the model) before it
changes anything; a corrupted file or a mismatch raises and leaves the model untouched. Either
format loads into either backend (the state-dict names and shapes are the same).
"""

from __future__ import annotations

import io
import json
import numbers
import os
import tempfile
import zipfile
from typing import Any

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "micrograd_tips.checkpoint"
VERSION = 1
_META_KEY = "__checkpoint__"


def _is_array(x: object) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _nested_shape(value: Any, where: str) -> tuple[int, ...]:
    """Shape of a rectangular nested list of numbers; ValueError naming `where` otherwise."""
    if isinstance(value, (list, tuple)):
        shapes = {_nested_shape(v, f"{where}[{i}]") for i, v in enumerate(value)}
        if len(shapes) > 1:
            raise ValueError(f"{where} is ragged (rows of different shapes).")
        return (len(value), *(shapes.pop() if shapes else ()))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} is {type(value).__name__} {value!r:.40}; expected a number.")
    return ()


def _shape(value: Any, where: str) -> tuple[int, ...]:
    return tuple(int(n) for n in value.shape) if _is_array(value) else _nested_shape(value, where)


def _path(path: object, who: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{who}(path=...): got {type(path).__name__}; expected a str or os.PathLike.")
    return os.fspath(path)


def _suffix(path: str, who: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".json", ".npz"):
        raise ValueError(
            f"{who}: path {path!r} must end in .json (scalar models) or .npz (NumPy-backend models)."
        )
    return suffix


def _state_of(model: Any, who: str) -> dict[str, Any]:
    for attr in ("state_dict", "load_state_dict"):
        if not callable(getattr(model, attr, None)):
            raise TypeError(f"{who}(model=...): {type(model).__name__} has no {attr}(); expected a Module.")
    state = model.state_dict()
    if not isinstance(state, dict):
        raise TypeError(f"{who}: model.state_dict() returned {type(state).__name__}; expected a dict.")
    return state


# ---------------------------------------------------------------------------------------------
# save
# ---------------------------------------------------------------------------------------------


def save(model: Any, path: str | os.PathLike[str]) -> str:
    """Write ``model.state_dict()`` to `path` (``.json`` or ``.npz``, see the module docstring).

    The format must match the model: nested lists → ``.json``, arrays → ``.npz``. Returns the
    path written. The file appears atomically (temp file + ``os.replace``). Lecture B1: keep the
    weights of the best epoch.
    """
    target = _path(path, "save")
    suffix = _suffix(target, "save")
    state = _state_of(model, "save")
    arrays = [name for name, v in state.items() if _is_array(v)]
    if arrays and len(arrays) != len(state):
        raise TypeError(f"save: the state dict mixes arrays {arrays} with lists; cannot choose a format.")
    backend = "numpy" if arrays else "scalar"
    wanted = ".npz" if arrays else ".json"
    if suffix != wanted:
        raise ValueError(
            f"save: a {backend} model is saved as {wanted}; got path {target!r}. Use a {wanted} file name."
        )
    shapes = {name: list(_shape(v, f"save: state[{name!r}]")) for name, v in state.items()}
    header = {"format": FORMAT, "version": VERSION, "backend": backend, "shapes": shapes}
    if backend == "scalar":
        payload = json.dumps({**header, "state": state}).encode("utf-8")
    else:
        payload = _npz_bytes(state, header)
    _write_atomically(target, payload)
    return target


def _npz_bytes(state: dict[str, Any], header: dict[str, Any]) -> bytes:
    import numpy

    if _META_KEY in state:
        raise ValueError(f"save: a parameter may not be named {_META_KEY!r}.")
    buffer = io.BytesIO()
    entries = {**state, _META_KEY: json.dumps(header)}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, value in entries.items():  # the layout numpy.savez writes: one NAME.npy per array
            with archive.open(f"{name}.npy", "w") as f:
                numpy.lib.format.write_array(f, numpy.asarray(value), allow_pickle=False)
    return buffer.getvalue()


def _write_atomically(target: str, payload: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: the directory {directory!r} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------------------------


class _Corrupt(ValueError):
    pass


def _read_json(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with open(path, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _Corrupt(f"not valid JSON ({e})") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("state"), dict):
        raise _Corrupt("no 'state' object")
    return doc, doc["state"]


def _read_npz(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    import numpy

    try:
        with numpy.load(path, allow_pickle=False) as archive:
            names = list(archive.files)
            if _META_KEY not in names:
                raise _Corrupt(f"no {_META_KEY!r} header")
            header = json.loads(str(archive[_META_KEY]))
            state = {name: archive[name] for name in names if name != _META_KEY}
    except _Corrupt:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise _Corrupt(f"not a readable .npz archive ({type(e).__name__}: {e})") from e
    if not isinstance(header, dict):
        raise _Corrupt("the header is not a JSON object")
    return header, state


def _check_header(header: dict[str, Any], state: dict[str, Any]) -> None:
    if header.get("format") != FORMAT:
        raise _Corrupt(f"format is {header.get('format')!r}, expected {FORMAT!r}")
    if header.get("version") != VERSION:
        raise _Corrupt(f"version {header.get('version')!r} is not supported (this code reads {VERSION})")
    shapes = header.get("shapes")
    if not isinstance(shapes, dict) or set(shapes) != set(state):
        raise _Corrupt("the recorded names do not match the stored parameters")
    for name, value in state.items():
        try:
            actual = _shape(value, f"state[{name!r}]")
        except ValueError as e:
            raise _Corrupt(str(e)) from e
        if list(actual) != shapes[name]:
            raise _Corrupt(f"{name!r} holds shape {actual} but the header says {tuple(shapes[name])}")


def load(model: Any, path: str | os.PathLike[str]) -> None:
    """Load a checkpoint written by `save` into `model` (either backend, either format).

    Checks, before changing anything: the file parses, has this format and version, its recorded
    shapes match its data, it has exactly the model's parameter names (else KeyError naming the
    missing/unexpected ones) with the model's shapes (else ValueError). A corrupted file raises
    ValueError. On any error the model is untouched.
    """
    source = _path(path, "load")
    suffix = _suffix(source, "load")
    expected = _state_of(model, "load")
    if not os.path.isfile(source):
        raise FileNotFoundError(f"load: no checkpoint file at {source!r}.")
    try:
        header, state = _read_json(source) if suffix == ".json" else _read_npz(source)
        _check_header(header, state)
    except _Corrupt as e:
        raise ValueError(f"load: {source!r} is corrupted or not a micrograd_tips checkpoint: {e}.") from None
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        raise KeyError(
            f"load: {source!r} does not fit this model: missing parameters {missing}, "
            f"unexpected parameters {unexpected}."
        )
    for name, value in expected.items():
        want = _shape(value, f"model.state_dict()[{name!r}]")
        got = tuple(header["shapes"][name])
        if got != want:
            raise ValueError(f"load: {source!r} has {name!r} of shape {got}; the model expects {want}.")
    model.load_state_dict(state)
