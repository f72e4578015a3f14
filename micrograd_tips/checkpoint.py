"""Save and load a model's parameters — JSON for scalar models, ``.npz`` for NumPy-backend ones.

Lecture B1 (early stopping): keep the weights of the best epoch. A checkpoint holds only names,
shapes and numbers (never a pickle), and a SHA-256 checksum, so any byte changed after the save
is found before a single weight is read.

* ``.json`` (scalar `Value` models, whose state dict holds nested lists of floats), one line::

      {"format": "micrograd_tips.checkpoint", "version": 2, "backend": "scalar",
       "shapes": {"layers.0.weight": [16, 2], ...}, "state": {"layers.0.weight": [[...], ...], ...},
       "sha256": "<64 hex digits>"}

  The checksum is the last member; it is the SHA-256 of every byte before ``, "sha256"``. Floats
  are written with ``repr`` precision (exact round trip); nan/inf as JSON's NaN/Infinity.
* ``.npz`` (NumPy-backend models, whose state dict holds float32/float64 arrays): a zip archive of
  uncompressed ``.npy`` members, readable by ``numpy.load(path, allow_pickle=False)``: one per
  parameter name, plus ``__checkpoint__``, a string array with the JSON header (format, version,
  backend, shapes). The archive comment is the SHA-256 (64 hex digits) of every byte before it.

`load` checks, before it changes anything: the size and layout of the file (for ``.npz``: the zip
directory and each ``.npy`` header, read in small bounded pieces, nothing decompressed), then the
checksum, then format, version, names and shapes against the model. Every malformed file is a
ValueError (or OSError from the file system), and the model is then untouched. Either format loads
into either backend (the state-dict names and shapes are the same). Version-1 files (before
checksums) cannot be verified and are refused with an error saying so.

`save` writes to a temporary file ``.NAME.<pid>-<random>.tmp`` beside the target, flushes it to
disk, then moves it over the target with ``os.replace`` — a crash never leaves a half-written
checkpoint, the previous one stays intact. Through a symlink, the link's target is replaced and the
link stays a link. An existing file keeps its permission bits; a new file gets the usual mode
(0666 minus the umask). Temporary files left by a killed save (their process no longer runs) are
removed by the next save to the same path.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
import stat
import struct
import zlib
from collections.abc import Callable
from typing import IO, Any

from ._checks import as_real, fail

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "micrograd_tips.checkpoint"
VERSION = 2
_META_KEY = "__checkpoint__"
_SUFFIXES = "a file name ending in .json (scalar models) or .npz (NumPy-backend models)"


class _Corrupt(ValueError):
    """A file that is not an intact checkpoint; `load` reports it as one ValueError."""


# ---------------------------------------------------------------------------------------------
# shapes and names
# ---------------------------------------------------------------------------------------------


def _is_array(x: object) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _nested_shape(value: Any, where: str) -> tuple[int, ...]:
    """Shape of a rectangular nested list of numbers (a model's own state); ValueError otherwise."""
    if isinstance(value, (list, tuple)):
        shapes = {_nested_shape(v, f"{where}[{i}]") for i, v in enumerate(value)}
        if len(shapes) > 1:
            raise ValueError(f"{where} is ragged (rows of different shapes).")
        return (len(value), *(shapes.pop() if shapes else ()))
    as_real(where, value)
    return ()


def _shape(value: Any, where: str) -> tuple[int, ...]:
    return tuple(int(n) for n in value.shape) if _is_array(value) else _nested_shape(value, where)


def _path(path: object, who: str) -> str:
    """`path` as a str, if it is a str or an os.PathLike naming a str path."""
    if not isinstance(path, (str, os.PathLike)) or not isinstance(os.fspath(path), str):
        fail(f"{who}(path)", path, "a str or os.PathLike path")
    return os.fspath(path)


def _suffix(path: str, who: str) -> str:
    """'.json' or '.npz': the suffix chooses the format."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in (".json", ".npz"):
        fail(f"{who}(path)", path, _SUFFIXES, ValueError)
    return suffix


def _state_of(model: Any, who: str) -> dict[str, Any]:
    """model.state_dict(), after checking the model has the two state-dict methods."""
    if not all(callable(getattr(model, m, None)) for m in ("state_dict", "load_state_dict")):
        fail(f"{who}(model)", model, "a Module (with state_dict() and load_state_dict())")
    state = model.state_dict()
    if not isinstance(state, dict):
        fail(f"{who}: model.state_dict()", state, "a dict")
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
        fail("save(path)", target, f"a {wanted} file name (this is a {backend} model)", ValueError)
    if _META_KEY in state:
        raise ValueError(f"save: a parameter may not be named {_META_KEY!r}.")
    shapes = {name: list(_shape(v, f"save: state[{name!r}]")) for name, v in state.items()}
    header = {"format": FORMAT, "version": VERSION, "backend": backend, "shapes": shapes}
    payload = _json_bytes(header, state) if backend == "scalar" else _npz_bytes(header, state)
    _write_atomically(target, payload)
    return target


def _json_bytes(header: dict[str, Any], state: dict[str, Any]) -> bytes:
    """body = the JSON document without its closing brace; file = body + trailer(sha256(body))."""
    body = json.dumps({**header, "state": state})[:-1].encode("ascii")
    return body + _json_trailer(hashlib.sha256(body).hexdigest())


def _json_trailer(hexdigest: str) -> bytes:
    return f', "sha256": "{hexdigest}"}}\n'.encode("ascii")


_JSON_TRAILER_LEN = len(_json_trailer("0" * 64))


def _npz_bytes(header: dict[str, Any], state: dict[str, Any]) -> bytes:
    """A zip of stored ``NAME.npy`` members, the header first; comment = sha256(all bytes before it)."""
    import numpy

    members = [(f"{_META_KEY}.npy", _npy_bytes(numpy.array(json.dumps(header)), _META_KEY))]
    members += [(f"{name}.npy", _npy_bytes(value, name)) for name, value in state.items()]
    archive = _zip_stored(members)
    return archive + hashlib.sha256(archive).hexdigest().encode("ascii")


def _npy_bytes(array: Any, name: str) -> bytes:
    """NumPy's ``.npy`` v1.0 layout: magic, header length, a dict literal padded to 64 bytes, raw data."""
    import numpy

    array = numpy.asarray(array)
    if array.dtype.kind == "U":
        descr = f"<U{array.dtype.itemsize // 4}"
    elif array.dtype.kind == "f" and array.dtype.itemsize in (4, 8):  # float32/float64, either byte order
        descr = f"<f{array.dtype.itemsize}"
    else:
        fail(f"save: state[{name!r}]", array, "a float32 or float64 array")
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {tuple(array.shape)!r}, }}"
    text += " " * (-(len(_NPY_MAGIC) + 2 + len(text) + 1) % 64) + "\n"
    data = numpy.ascontiguousarray(array, dtype=numpy.dtype(descr)).tobytes()
    return _NPY_MAGIC + struct.pack("<H", len(text)) + text.encode("latin-1") + data


_NPY_MAGIC = b"\x93NUMPY\x01\x00"
# The zip records `save` writes (PKWARE APPNOTE 4.3), little-endian:
# local header   sig, need, flags, method, time, date, crc, csize, size, nlen, xlen
# central entry  sig, made, need, flags, method, time, date, crc, csize, size, nlen, xlen, clen,
#                disk, iattr, xattr, offset
# end record     sig, disk, cd disk, entries here, entries, cd size, cd offset, clen
_ZIP_LOCAL = struct.Struct("<IHHHHHIIIHH")
_ZIP_ENTRY = struct.Struct("<IHHHHHHIIIHHHHHII")
_ZIP_END = struct.Struct("<IHHHHIIH")
_ZIP_VERSION, _ZIP_UTF8, _ZIP_DATE = 20, 0x0800, 0x21  # version 2.0, UTF-8 names, 1980-01-01 00:00
_ZIP_LIMIT = 0xFFFFFFFF  # no zip64: 4 GiB per archive
_MAX_NAME = 1024  # bytes of a member name
_HASH_HEX = 64


def _zip_stored(members: list[tuple[str, bytes]]) -> bytes:
    """An uncompressed zip: each member's local header + data, the central directory, the end record."""
    body, directory = bytearray(), bytearray()
    for name, data in members:
        raw = name.encode("utf-8")
        if len(raw) > _MAX_NAME:
            raise ValueError(f"save: the parameter name {name[:40]!r}... is longer than {_MAX_NAME} bytes.")
        crc, offset = zlib.crc32(data), len(body)
        fields = (_ZIP_VERSION, _ZIP_UTF8, 0, 0, _ZIP_DATE, crc, len(data), len(data), len(raw))
        body += _ZIP_LOCAL.pack(0x04034B50, *fields, 0) + raw + data
        directory += _ZIP_ENTRY.pack(0x02014B50, _ZIP_VERSION, *fields, 0, 0, 0, 0, 0, offset) + raw
    if len(body) + len(directory) > _ZIP_LIMIT:
        raise ValueError(f"save: the model's {len(body)} bytes exceed the .npz limit of 4 GiB written here.")
    n = len(members)
    end = _ZIP_END.pack(0x06054B50, 0, 0, n, n, len(directory), len(body), _HASH_HEX)
    return bytes(body + directory + end)


def _write_atomically(target: str, payload: bytes) -> None:
    """Temp file beside the real target, fsync, ``os.replace``, fsync the directory."""
    real = os.path.realpath(target)  # through a symlink: replace what it points to
    directory, base = os.path.split(real)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: the directory {directory!r} does not exist.")
    try:
        mode: int | None = stat.S_IMODE(os.stat(real).st_mode)  # an existing file keeps its bits
    except FileNotFoundError:
        mode = None
    _remove_stale_temps(directory, base)
    fd, tmp = _create_temp(directory, base)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(tmp, mode)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_directory(directory)


def _create_temp(directory: str, base: str) -> tuple[int, str]:
    """A new file ``.BASE.<pid>-<random>.tmp``, mode 0666 minus the umask (as `open` would give)."""
    while True:
        tmp = os.path.join(directory, f".{base}.{os.getpid()}-{secrets.token_hex(8)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _remove_stale_temps(directory: str, base: str) -> None:
    """Delete temp files of earlier saves to this path whose process is gone (killed mid-save).

    Ours are ``.BASE.<pid>-<16 hex>.tmp``; ``.BASE.<8 chars>.tmp`` are from versions that used
    `tempfile.mkstemp` (no pid). A temp of a running process (another thread's save, or another
    program's) is left alone. Best effort: a file that cannot be removed is skipped.
    """
    pattern = re.compile(re.escape(f".{base}.") + r"(?:(\d{1,10})-[0-9a-f]{16}|[a-z0-9_]{8})\.tmp")
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        found = pattern.fullmatch(name)
        if found is None or (found[1] is not None and _process_running(int(found[1]))):
            continue
        path = os.path.join(directory, name)
        try:
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.remove(path)
        except OSError:
            pass


def _process_running(pid: int) -> bool:
    """Whether process `pid` exists (POSIX signal 0). Elsewhere: assume it does (never delete)."""
    if os.name != "posix" or pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process
        return True
    return True


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

Shapes = dict[str, tuple[int, ...]]


def load(model: Any, path: str | os.PathLike[str]) -> None:
    """Load a checkpoint written by `save` into `model` (either backend, either format).

    Checks, before changing anything: the file's size and layout fit this model, its checksum
    matches its bytes, it parses, has this format and version, its recorded shapes match its data,
    it has exactly the model's parameter names (else KeyError naming the missing/unexpected ones)
    with the model's shapes (else ValueError). A corrupted or malformed file raises ValueError
    ("... is corrupted ..."), a file-system problem OSError. On any error the model is untouched.
    """
    source = _path(path, "load")
    suffix = _suffix(source, "load")
    current = _state_of(model, "load")
    expected = {name: _shape(value, f"model.state_dict()[{name!r}]") for name, value in current.items()}
    reader = _read_json if suffix == ".json" else _read_npz
    try:
        with _open_regular(source) as f:
            shapes, fetch = reader(f, os.fstat(f.fileno()).st_size, expected)
            _check_fits(source, shapes, expected)
            state = fetch()
    except _Corrupt as e:
        raise ValueError(f"load: {source!r} is corrupted or not a micrograd_tips checkpoint: {e}.") from None
    model.load_state_dict(state)


def _check_fits(source: str, shapes: Shapes, expected: Shapes) -> None:
    """The checkpoint's names are the model's (else KeyError), and so are its shapes (else ValueError)."""
    missing = [k for k in expected if k not in shapes]
    unexpected = [k for k in shapes if k not in expected]
    if missing or unexpected:
        raise KeyError(
            f"load: {source!r} does not fit this model: missing parameters {missing}, "
            f"unexpected parameters {unexpected}."
        )
    for name, want in expected.items():
        if shapes[name] != want:
            raise ValueError(
                f"load: {source!r} has {name!r} of shape {shapes[name]}; the model expects {want}."
            )


def _open_regular(path: str) -> IO[bytes]:
    """The file opened for reading, if it is a regular file (not a directory, FIFO or device)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no checkpoint file at {path!r}.") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        error = IsADirectoryError if stat.S_ISDIR(mode) else OSError
        raise error(f"load: {path!r} is not a regular file.")
    return os.fdopen(fd, "rb")


def _read_at(f: IO[bytes], offset: int, n: int, what: str) -> bytes:
    """Exactly n bytes at `offset` (the caller has bounded n), or _Corrupt."""
    f.seek(offset)
    data = f.read(n)
    if len(data) != n:
        raise _Corrupt(f"the file ends inside {what}")
    return data


def _sha256(f: IO[bytes], n: int) -> str:
    """SHA-256 of the first n bytes, read in 1 MiB pieces (memory stays bounded)."""
    digest = hashlib.sha256()
    f.seek(0)
    while n > 0:
        piece = f.read(min(n, 1 << 20))
        if not piece:
            raise _Corrupt("the file ends early")
        digest.update(piece)
        n -= len(piece)
    return digest.hexdigest()


def _parse_json(text: bytes, what: str, encoding: str) -> Any:
    """JSON → Python, every failure a _Corrupt: no duplicate keys, no number beyond float64, no
    nesting beyond the interpreter's recursion limit (its RecursionError becomes a clear message)."""
    try:
        return json.loads(text.decode(encoding), parse_float=_float64, object_pairs_hook=_unique_keys)
    except _Corrupt:
        raise
    except RecursionError:
        raise _Corrupt(f"{what} is nested too deeply to be a checkpoint") from None
    except ValueError as e:  # UnicodeDecodeError, JSONDecodeError, an int of too many digits
        raise _Corrupt(f"{what} is not valid JSON ({str(e)[:200]})") from None


def _float64(text: str) -> float:
    """A JSON number as a float64 — one beyond float64's range (1e400) is an error, not inf."""
    x = float(text)
    if math.isinf(x):
        raise _Corrupt(f"the number {text[:40]} is beyond float64's range")
    return x


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a repeated key (which `json` would silently resolve) is an error."""
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Corrupt("a JSON object repeats a key")
    return out


def _check_header(header: Any, keys: set[str], backend: str) -> Shapes:
    """Exactly `keys`; this format, version and backend; 'shapes' name → list of sizes ≥ 0."""
    if not isinstance(header, dict) or set(header) != keys:
        raise _Corrupt(f"the header must have exactly the keys {sorted(keys)}")
    if header["format"] != FORMAT:
        raise _Corrupt(f"format is {str(header['format'])[:60]!r}, expected {FORMAT!r}")
    if type(header["version"]) is not int or header["version"] != VERSION:
        raise _Corrupt(f"version {str(header['version'])[:20]} is not supported (this code reads {VERSION})")
    if header["backend"] != backend:
        raise _Corrupt(f"backend is {str(header['backend'])[:20]!r}; this format holds {backend!r} models")
    shapes = header["shapes"]
    if not isinstance(shapes, dict) or not all(
        isinstance(s, list) and all(type(n) is int and n >= 0 for n in s) for s in shapes.values()
    ):
        raise _Corrupt("'shapes' must map each name to a list of sizes")
    return {name: tuple(shape) for name, shape in shapes.items()}


# -- JSON ------------------------------------------------------------------------------------


def _read_json(f: IO[bytes], size: int, expected: Shapes) -> tuple[Shapes, Callable[[], dict[str, Any]]]:
    """Size bound, checksum, parse, then every array walked against its recorded shape."""
    limit = _json_size_limit(expected)
    if size > limit:
        raise _Corrupt(f"it is {size} bytes; a .json checkpoint of this model has at most {limit}")
    raw = _read_at(f, 0, size, "the JSON text")
    body, trailer = raw[:-_JSON_TRAILER_LEN], raw[-_JSON_TRAILER_LEN:]
    if size < _JSON_TRAILER_LEN or re.fullmatch(rb', "sha256": "[0-9a-f]{64}"\}\n', trailer) is None:
        raise _Corrupt(
            "it does not end with its 'sha256' checksum (a file changed after saving, or a "
            "version-1 checkpoint, written before checksums, which cannot be verified: re-save it)"
        )
    if trailer != _json_trailer(hashlib.sha256(body).hexdigest()):
        raise _Corrupt("its SHA-256 checksum does not match its content (the file changed after saving)")
    doc = _parse_json(raw, "the file", "utf-8")
    shapes = _check_header(doc, {"format", "version", "backend", "shapes", "state", "sha256"}, "scalar")
    state = doc["state"]
    if not isinstance(state, dict) or set(state) != set(shapes):
        raise _Corrupt("the 'state' names do not match the recorded 'shapes'")
    floats = {name: _floats_of_shape(value, shapes[name], name) for name, value in state.items()}
    return shapes, lambda: floats


def _json_size_limit(expected: Shapes) -> int:
    """Twice the most bytes `save` writes for these shapes, plus 64 KiB: 26 per number
    ("-2.2250738585072014e-308, "), 4 per nested list, each name twice. Larger files are not read."""
    total = 1 << 16
    for name, shape in expected.items():
        lists = sum(math.prod(shape[:k]) for k in range(len(shape)))
        total += 2 * (2 * len(json.dumps(name)) + 24 * len(shape) + 26 * math.prod(shape) + 4 * lists + 16)
    return total


def _floats_of_shape(value: Any, shape: tuple[int, ...], name: str) -> Any:
    """`value` checked level by level against `shape` (no recursion), as nested lists of floats."""
    level = [value]
    for depth, n in enumerate(shape):
        children: list[Any] = []
        for node in level:
            if not isinstance(node, list) or len(node) != n:
                raise _Corrupt(f"{name!r} does not have the recorded shape {str(shape)[:60]} (depth {depth})")
            children.extend(node)
        level = children
    flat: list[Any] = [_number(x, name) for x in level]
    for k in range(len(shape) - 1, -1, -1):  # regroup, innermost rows first
        n, count = shape[k], math.prod(shape[:k])
        flat = [flat[i * n : (i + 1) * n] for i in range(count)]
    return flat[0]


def _number(x: Any, name: str) -> float:
    """A JSON leaf as a float; a list, a string, a bool or an int beyond float64 is _Corrupt."""
    try:
        return as_real(f"state[{name!r}]", x)
    except (TypeError, ValueError) as e:
        raise _Corrupt(str(e).rstrip(".")) from None


# -- .npz ------------------------------------------------------------------------------------


def _read_npz(f: IO[bytes], size: int, expected: Shapes) -> tuple[Shapes, Callable[[], dict[str, Any]]]:
    """Zip directory and member sizes (bounded reads), checksum, .npy headers, the header JSON;
    the arrays themselves are read only by the returned function, once the names and shapes fit."""
    import numpy

    members = _zip_members(f, size, len(expected))
    _check_member_sizes(members, expected)
    if _read_at(f, size - _HASH_HEX, _HASH_HEX, "the checksum") != _sha256(f, size - _HASH_HEX).encode():
        raise _Corrupt("its SHA-256 checksum does not match its content (the file changed after saving)")
    arrays = {name: _npy_header(f, offset, nbytes, name) for name, (offset, nbytes) in members.items()}
    descr, shape, offset, nbytes = arrays.pop(_META_KEY)
    if not descr.startswith("<U") or shape != ():
        raise _Corrupt(f"the {_META_KEY!r} member is not a string")
    header = _parse_json(_read_at(f, offset, nbytes, "the header"), "the header", "utf-32-le")
    shapes = _check_header(header, {"format", "version", "backend", "shapes"}, "numpy")
    if set(shapes) != set(arrays):
        raise _Corrupt("the recorded names do not match the stored arrays")
    for name, (descr, shape, _, _) in arrays.items():
        if descr not in ("<f4", "<f8"):
            raise _Corrupt(f"{name!r} has dtype {descr}; expected float32 or float64")
        if shape != shapes[name]:
            raise _Corrupt(f"{name!r} holds shape {shape} but the header says {shapes[name]}")

    def fetch() -> dict[str, Any]:
        return {
            name: numpy.frombuffer(_read_at(f, offset, nbytes, repr(name)), dtype=descr).reshape(shape)
            for name, (descr, shape, offset, nbytes) in arrays.items()
        }

    return shapes, fetch


def _zip_members(f: IO[bytes], size: int, n_params: int) -> dict[str, tuple[int, int]]:
    """name → (offset, size) of each stored member, from the end record and the central directory.

    Every record must be as `save` writes it: no compression, no zip64, no extra fields, members
    back to back, the directory right after them, the 64-byte checksum comment last. Every read is
    bounded by the number of members this model allows; nothing is decompressed.
    """
    end_at = size - _ZIP_END.size - _HASH_HEX
    if end_at < 0:
        raise _Corrupt(f"it is {size} bytes, too short for a .npz checkpoint")
    sig, disk, cd_disk, here, count, cd_size, cd_at, clen = _ZIP_END.unpack(
        _read_at(f, end_at, _ZIP_END.size, "the zip end record")
    )
    max_members = 2 * n_params + 1024  # room for another architecture's checkpoint (→ KeyError)
    if (sig, disk, cd_disk, clen) != (0x06054B50, 0, 0, _HASH_HEX) or here != count or count > max_members:
        raise _Corrupt("no zip end record with a checksum comment where `save` puts it")
    if cd_at + cd_size != end_at or cd_size > count * (_ZIP_ENTRY.size + _MAX_NAME):
        raise _Corrupt("the zip central directory is not where its end record says")
    directory = _read_at(f, cd_at, cd_size, "the zip central directory")
    members: dict[str, tuple[int, int]] = {}
    position = at = 0
    for _ in range(count):
        entry = directory[at : at + _ZIP_ENTRY.size]
        if len(entry) < _ZIP_ENTRY.size:
            raise _Corrupt("the zip central directory ends early")
        sig, _, need, flags, method, _, _, crc, csize, nbytes, nlen, xlen, clen, disk, _, _, offset = (
            _ZIP_ENTRY.unpack(entry)
        )
        raw_name = directory[at + _ZIP_ENTRY.size : at + _ZIP_ENTRY.size + nlen]
        at += _ZIP_ENTRY.size + nlen
        if method != 0:
            raise _Corrupt(
                f"member {raw_name[:60]!r} is compressed (method {method}); checkpoints store arrays as is"
            )
        utf8_or_ascii = flags == _ZIP_UTF8 or (flags == 0 and raw_name.isascii())  # no other flag bit
        if (sig, need, xlen, clen, disk) != (0x02014B50, _ZIP_VERSION, 0, 0, 0) or not utf8_or_ascii:
            raise _Corrupt(f"member {raw_name[:60]!r} has a zip directory entry `save` does not write")
        if csize != nbytes or offset != position or len(raw_name) != nlen or nlen > _MAX_NAME:
            raise _Corrupt(f"member {raw_name[:60]!r} has inconsistent sizes or offsets")
        fields = (_ZIP_VERSION, flags, 0, 0, _ZIP_DATE, crc, nbytes, nbytes, nlen, 0)
        if (
            _read_at(f, offset, _ZIP_LOCAL.size + nlen, "a zip local header")
            != _ZIP_LOCAL.pack(0x04034B50, *fields) + raw_name
        ):
            raise _Corrupt(f"member {raw_name[:60]!r}: its local header disagrees with the directory")
        name = _member_name(raw_name)
        if name in members:
            raise _Corrupt(f"member {name[:60]!r} appears twice")
        members[name] = (offset + _ZIP_LOCAL.size + nlen, nbytes)
        position = offset + _ZIP_LOCAL.size + nlen + nbytes
    if at != cd_size or position != cd_at:
        raise _Corrupt("the zip members do not fill the archive exactly")
    if _META_KEY not in members:
        raise _Corrupt(f"no {_META_KEY!r} header")
    return members


def _member_name(raw: bytes) -> str:
    """'NAME.npy' (UTF-8) → 'NAME'."""
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Corrupt(f"member name {raw[:60]!r} is not UTF-8") from None
    if not name.endswith(".npy"):
        raise _Corrupt(f"member {name[:60]!r} is not a .npy array")
    return name[: -len(".npy")]


_NPY_MAX_HEADER = 4096
_NPY_HEADER = re.compile(
    r"\{'descr': '(<f4|<f8|<U\d{1,9})', 'fortran_order': False, 'shape': \(([\d, ]{0,200})\), \} *\n"
)


def _check_member_sizes(members: dict[str, tuple[int, int]], expected: Shapes) -> None:
    """Before anything else is read: a parameter's member holds at most a .npy header and 8 bytes
    per number of the model's shape; the header member at most 4 bytes per character of a header."""
    header_chars = 1024 + sum(
        2 * len(json.dumps(name)) + 24 * len(shape) + 16 for name, shape in expected.items()
    )
    for name, (_, nbytes) in members.items():
        if name == _META_KEY:
            limit = 10 + _NPY_MAX_HEADER + 4 * header_chars
        elif name in expected:
            limit = 10 + _NPY_MAX_HEADER + 8 * math.prod(expected[name])
        else:
            continue  # another architecture's parameter: checksum first, then `load` raises KeyError
        if nbytes > limit:
            raise _Corrupt(f"member {name[:60]!r} is {nbytes} bytes; for this model it is at most {limit}")


def _npy_header(f: IO[bytes], offset: int, nbytes: int, name: str) -> tuple[str, tuple[int, ...], int, int]:
    """(dtype, shape, data offset, data bytes) from a member's ``.npy`` header — matched as text,
    never evaluated; the data must be exactly shape × item size bytes."""
    start = _read_at(f, offset, min(nbytes, len(_NPY_MAGIC) + 2), f"the .npy header of {name!r}")
    if len(start) != len(_NPY_MAGIC) + 2 or start[: len(_NPY_MAGIC)] != _NPY_MAGIC:
        raise _Corrupt(f"{name!r} is not a .npy version 1.0 array")
    (hlen,) = struct.unpack("<H", start[len(_NPY_MAGIC) :])
    if len(start) + hlen > nbytes or hlen > _NPY_MAX_HEADER:
        raise _Corrupt(f"the .npy header of {name!r} is longer than its member")
    found = _NPY_HEADER.fullmatch(_read_at(f, offset + len(start), hlen, "a .npy header").decode("latin-1"))
    shape = tuple(int(n) for n in found[2].replace(",", " ").split()) if found else ()
    if found is None or repr(shape) != f"({found[2]})":
        raise _Corrupt(f"the .npy header of {name!r} is not one `save` writes")
    descr = found[1]
    itemsize = 4 * int(descr[2:]) if descr.startswith("<U") else int(descr[2:])
    data_at, data_bytes = offset + len(start) + hlen, nbytes - len(start) - hlen
    if math.prod(shape) * itemsize != data_bytes:
        raise _Corrupt(f"{name!r} declares shape {shape} of {descr} but holds {data_bytes} bytes")
    return descr, shape, data_at, data_bytes
