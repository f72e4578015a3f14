"""Fault suite for checkpoints (issue 10, items 4, 5, 6, 8): nothing loads silently, nothing escapes.

Every fault below is *tried* on `checkpoint.load` and counts as *handled* when it ends as the
contract says: a ValueError (bad content) or an OSError (file system) — a KeyError only where a
file of another architecture is the point — with the model untouched; never a RecursionError,
OverflowError, MemoryError, NotImplementedError or a silent load of other weights. Each test prints
``faults[<what>]: tried N, handled N`` (run pytest with ``-s`` to see the counts).

Why every byte flip must be a ValueError (not merely "an error or harmless"): format version 2
ends each file with the SHA-256 of every byte before it, compared byte for byte, so changing any
byte — in the data, in whitespace, in the zip's timestamps, or in the checksum itself — is a
mismatch (short of a SHA-256 collision). The tests check that claim exhaustively: every bit of
every byte. A file whose checksum an attacker *recomputed* is no longer protected by it; for those
("resealed") files the parser behind the checksum must fail cleanly, or load a file that differs
from the saved weights in at most the one number the changed byte belongs to.

Oracles: `hashlib`, `zipfile` and hand-made ``.npy`` bytes build the malformed files independently
of the module's writer; peak memory is measured in a fresh interpreter (``ru_maxrss``); saves are
killed with SIGKILL in forked children.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from micrograd_tips import checkpoint
from micrograd_tips.nn import MLP

np = pytest.importorskip("numpy")
from micrograd_tips.tensor import nn as tnn  # noqa: E402  (needs NumPy)

JSON_TRAILER = len(b', "sha256": "') + 64 + len(b'"}\n')
NAMES = ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
ALLOWED = (ValueError, OSError)


def scalar_model(seed: int = 0) -> MLP:
    return MLP(3, [4, 2], seed=seed)


def tensor_model(seed: int = 0) -> Any:
    return tnn.MLP(3, [4, 2], seed=seed, dtype="float64")


def snapshot(model: Any) -> str:
    """The model's weights as text (nan-safe equality)."""
    return repr({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in model.state_dict().items()})


def report(what: str, tried: int, handled: int, started: float, missed: Any = ()) -> None:
    print(f"\nfaults[{what}]: tried {tried}, handled {handled}, {time.perf_counter() - started:.1f} s")
    assert handled == tried, f"{what}: {tried - handled} of {tried} faults not handled: {list(missed)}"


def outcome(model: Any, path: Path, allowed: tuple[type[BaseException], ...] = ALLOWED) -> str:
    """Load and return the exception's name (or 'loaded'); an exception outside `allowed` fails
    the test, and after any exception the model's weights must be the ones it had."""
    before = snapshot(model)
    try:
        checkpoint.load(model, path)
    except allowed as e:
        assert snapshot(model) == before, f"{type(e).__name__} but the model changed"
        return type(e).__name__
    return "loaded"


# -- building files independently of the module's writer -------------------------------------


def seal_json(body: bytes) -> bytes:
    """body (a JSON object without its closing brace) + its checksum trailer, via hashlib."""
    return body + b', "sha256": "' + hashlib.sha256(body).hexdigest().encode() + b'"}\n'


def reseal_json(raw: bytes) -> bytes:
    return seal_json(raw[:-JSON_TRAILER])


def reseal_npz(raw: bytes) -> bytes:
    """The archive comment (the last 64 bytes) recomputed: SHA-256 of everything before it."""
    return raw[:-64] + hashlib.sha256(raw[:-64]).hexdigest().encode()


def json_body(state_text: dict[str, str], shapes: dict[str, list[int]] | None = None, **header: Any) -> bytes:
    """A version-2 JSON checkpoint body whose state values are the given raw JSON texts."""
    head = {"format": "micrograd_tips.checkpoint", "version": 2, "backend": "scalar"}
    head.update(header)
    shapes = (
        shapes
        if shapes is not None
        else {
            "layers.0.weight": [4, 3],
            "layers.0.bias": [4],
            "layers.1.weight": [2, 4],
            "layers.1.bias": [2],
        }
    )
    text = json.dumps({**head, "shapes": shapes})[:-1]
    text += ', "state": {' + ", ".join(f"{json.dumps(k)}: {v}" for k, v in state_text.items()) + "}"
    return text.encode()


def valid_state_text(seed: int = 1) -> dict[str, str]:
    return {k: json.dumps(v) for k, v in scalar_model(seed).state_dict().items()}


def npy(descr: str, shape: tuple[int, ...], data: bytes, header: str | None = None) -> bytes:
    """A .npy v1.0 member by hand (NumPy's documented layout)."""
    text = (
        header
        if header is not None
        else f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    )
    text += " " * (-(10 + len(text) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1") + data


def meta_npy(header: Any) -> bytes:
    text = header if isinstance(header, str) else json.dumps(header)
    return npy(f"<U{len(text)}", (), text.encode("utf-32-le"))


def good_meta(shapes: dict[str, list[int]] | None = None) -> dict[str, Any]:
    shapes = shapes or {n: list(a.shape) for n, a in tensor_model().state_dict().items()}
    return {"format": "micrograd_tips.checkpoint", "version": 2, "backend": "numpy", "shapes": shapes}


def good_members(seed: int = 1) -> dict[str, bytes]:
    members = {"__checkpoint__.npy": meta_npy(good_meta())}
    for name, arr in tensor_model(seed).state_dict().items():
        members[f"{name}.npy"] = npy("<f8", arr.shape, arr.astype("<f8").tobytes())
    return members


def zip_archive(
    members: list[tuple[str, bytes]] | dict[str, bytes], method: int = zipfile.ZIP_STORED
) -> bytes:
    """A zip written by Python's `zipfile` (not by the module), sealed with the checksum comment."""
    buffer = io.BytesIO()
    items = list(members.items()) if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names on purpose
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in items:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.create_system, info.create_version, info.extract_version = 0, 20, 20
                archive.writestr(info, data, compress_type=method)
            archive.comment = b"0" * 64
    return reseal_npz(buffer.getvalue())


def test_the_independently_built_files_load(tmp_path) -> None:
    """The builders above make files the loader accepts — so the faults below test what they change."""
    (tmp_path / "m.json").write_bytes(seal_json(json_body(valid_state_text(1))))
    model = scalar_model(2)
    checkpoint.load(model, tmp_path / "m.json")
    assert model.state_dict() == scalar_model(1).state_dict()
    (tmp_path / "m.npz").write_bytes(zip_archive(good_members(1)))
    tmodel = tensor_model(2)
    checkpoint.load(tmodel, tmp_path / "m.npz")
    assert snapshot(tmodel) == snapshot(tensor_model(1))


# ---------------------------------------------------------------------------------------------
# byte flips
# ---------------------------------------------------------------------------------------------


def saved(tmp_path: Path, kind: str) -> tuple[Any, Path, bytes]:
    model = scalar_model(1) if kind == "json" else tensor_model(1)
    path = tmp_path / f"m.{kind}"
    checkpoint.save(model, path)
    return (scalar_model(2) if kind == "json" else tensor_model(2)), path, path.read_bytes()


def edit_in_place(
    path: Path, raw: bytes, edits: Any, model: Any, accept: Callable[[str], bool]
) -> tuple[int, int]:
    """Apply each edit (a list of (offset, bytes)) to the file with pwrite, load, undo; count
    (tried, handled) where `accept(outcome)` says handled. No file is rewritten per fault."""
    tried = handled = 0
    fd = os.open(path, os.O_RDWR)
    try:
        for edit in edits:
            for at, data in edit:
                os.pwrite(fd, data, at)
            tried += 1
            handled += accept(outcome(model, path, (ValueError, KeyError)))
            for at, data in edit:
                os.pwrite(fd, raw[at : at + len(data)], at)
    finally:
        os.close(fd)
    return tried, handled


def bit_flips(raw: bytes, end: int) -> Any:
    return ([(i, bytes([raw[i] ^ (1 << bit)]))] for i in range(end) for bit in range(8))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["json", "npz"])
def test_every_single_bit_flip_is_a_value_error(tmp_path, kind) -> None:
    started = time.perf_counter()
    model, path, raw = saved(tmp_path, kind)
    tried, handled = edit_in_place(path, raw, bit_flips(raw, len(raw)), model, lambda r: r == "ValueError")
    report(f"{kind} bit flips", tried, handled, started)


def flat(model: Any) -> list[float]:
    out: list[float] = []
    stack = [v.tolist() if hasattr(v, "tolist") else v for v in model.state_dict().values()]
    while stack:
        item = stack.pop()
        stack.extend(item) if isinstance(item, list) else out.append(item)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["json", "npz"])
def test_resealed_bit_flips_fail_cleanly_or_change_at_most_one_weight(tmp_path, kind) -> None:
    """With the checksum recomputed after each flip (as an attacker could), the parser behind it is
    exercised: every flip ends as ValueError/KeyError with the model untouched, or as a load whose
    weights differ from the saved ones in at most one number (one byte holds part of one number)."""
    started = time.perf_counter()
    model, path, raw = saved(tmp_path, kind)
    original = flat(scalar_model(1) if kind == "json" else tensor_model(1))
    end, hex_at = (
        (len(raw) - JSON_TRAILER, len(raw) - JSON_TRAILER + 13) if kind == "json" else (len(raw) - 64,) * 2
    )

    def resealed() -> Any:
        for [(at, data)] in bit_flips(raw, end):
            body = raw[:at] + data + raw[at + 1 : end]
            yield [(at, data), (hex_at, hashlib.sha256(body).hexdigest().encode())]

    def clean(result: str) -> bool:
        if result != "loaded":
            return result in ("ValueError", "KeyError")
        changed = sum(a != b and not (a != a and b != b) for a, b in zip(flat(model), original))
        return changed <= 1

    tried, handled = edit_in_place(path, raw, resealed(), model, clean)
    report(f"{kind} resealed bit flips", tried, handled, started)


@pytest.mark.parametrize("kind", ["json", "npz"])
def test_every_truncation_every_digit_change_and_appended_bytes_are_value_errors(tmp_path, kind) -> None:
    started = time.perf_counter()
    model, path, raw = saved(tmp_path, kind)
    is_value_error = lambda result: result == "ValueError"  # noqa: E731
    digits = [[(i, bytes([48 + (c - 47) % 10]))] for i, c in enumerate(raw) if 48 <= c <= 57]  # d → d+1
    tried, handled = edit_in_place(path, raw, digits, model, is_value_error)  # the hand edits
    for extra in (b"\n", b" ", b"\x00", b"0" * 64):
        path.write_bytes(raw + extra)
        tried, handled = tried + 1, handled + is_value_error(outcome(model, path, (ValueError,)))
    path.write_bytes(raw)
    for n in range(len(raw) - 1, -1, -1):  # every shorter file, shrinking it in place
        os.truncate(path, n)
        tried, handled = tried + 1, handled + is_value_error(outcome(model, path, (ValueError,)))
    report(f"{kind} truncations, digit changes, appended bytes", tried, handled, started)


# ---------------------------------------------------------------------------------------------
# pathological files
# ---------------------------------------------------------------------------------------------

DEEP = "[" * 100_000


def json_faults() -> dict[str, bytes]:
    """Malformed JSON checkpoints (bodies; each is tried sealed and unsealed)."""
    good = valid_state_text()
    with_bias = lambda text: json_body({**good, "layers.1.bias": text})  # noqa: E731
    old = json.dumps(
        {"format": "micrograd_tips.checkpoint", "version": 1, "backend": "scalar", "shapes": {}, "state": {}}
    )[:-1]
    return {
        "100,000 nested [": with_bias(DEEP),
        "100,000 nested [ closed": with_bias(DEEP + "]" * 100_000),
        "30,000 nested [ (under the size limit)": with_bias("[" * 30_000),
        "5,000 nested objects (under the size limit)": with_bias('{"a": ' * 5_000 + "1" + "}" * 5_000),
        "100,000 nested objects": with_bias('{"a": ' * 100_000 + "1" + "}" * 100_000),
        "10**400": with_bias(f"[{10**400}, 0.0]"),
        "-10**400": with_bias(f"[-{10**400}, 0.0]"),
        "an int of 5,000 digits": with_bias(f"[{'9' * 5000}, 0.0]"),
        "1e400": with_bias("[1e400, 0.0]"),
        "-1e400": with_bias("[0.0, -1e400]"),
        "1.8e308": with_bias("[1.8e308, 0.0]"),
        "true": with_bias("[true, 0.0]"),
        "null": with_bias("[null, 0.0]"),
        "a string": with_bias('["0.5", 0.0]'),
        "an object": with_bias('[{"x": 1}, 0.0]'),
        "too deep": with_bias("[[0.0], [0.0]]"),
        "too shallow": json_body({**good, "layers.1.weight": "[0.0, 0.0]"}),
        "ragged": json_body({**good, "layers.1.weight": "[[0,0,0,0],[0,0,0]]"}),
        "shape 10**12": json_body(
            good,
            {
                **{k: [4, 3] for k in ["layers.0.weight"]},
                "layers.0.bias": [10**12],
                "layers.1.weight": [2, 4],
                "layers.1.bias": [2],
            },
        ),
        "shape 10**400": json_body(
            good,
            {
                "layers.0.weight": [4, 3],
                "layers.0.bias": [10**400],
                "layers.1.weight": [2, 4],
                "layers.1.bias": [2],
            },
        ),
        "negative shape": json_body(
            good,
            {
                "layers.0.weight": [4, 3],
                "layers.0.bias": [-4],
                "layers.1.weight": [2, 4],
                "layers.1.bias": [2],
            },
        ),
        "shape of bools": json_body(
            good,
            {
                "layers.0.weight": [4, 3],
                "layers.0.bias": [True],
                "layers.1.weight": [2, 4],
                "layers.1.bias": [2],
            },
        ),
        "a repeated key": json_body({**good}) + b', "state": {}',
        "version 1 without checksum": old.encode(),
        "version 3": json_body(good, version=3),
        "version 2.0": json_body(good, version=2.0),
        "backend numpy": json_body(good, backend="numpy"),
        "not UTF-8": json_body(good)[:-10] + b"\xff\xfe" + json_body(good)[-8:],
        "lone surrogate": with_bias('["\\ud800", 0.0]'),
        "NUL bytes": json_body(good) + b"\x00" * 16,
        "empty": b"",
        "a list": b"[1, 2, 3",
        "an extra key": json_body(good) + b', "extra": 1',
    }


@pytest.mark.parametrize("sealed", [True, False], ids=["resealed", "as-is"])
def test_malformed_json_files_are_value_errors(tmp_path, sealed) -> None:
    started, tried, handled = time.perf_counter(), 0, 0
    model, path, missed = scalar_model(2), tmp_path / "m.json", []
    for label, body in json_faults().items():
        path.write_bytes(seal_json(body) if sealed else body + b"}\n")
        tried += 1
        try:
            result = outcome(model, path, (ValueError,))
        except Exception as e:  # pragma: no cover - reported with the fault's name
            raise AssertionError(f"{label}: {type(e).__name__}: {str(e)[:200]}") from e
        handled += result == "ValueError"
        missed += [label] if result != "ValueError" else []
    report(f"json malformed ({'resealed' if sealed else 'as-is'})", tried, handled, started, missed)


def test_a_number_beyond_float64_is_named(tmp_path) -> None:
    for text in ["[1e400, 0.0]", f"[{10**400}, 0.0]"]:
        (tmp_path / "m.json").write_bytes(seal_json(json_body({**valid_state_text(), "layers.1.bias": text})))
        with pytest.raises(ValueError, match="float64"):
            checkpoint.load(scalar_model(), tmp_path / "m.json")


def test_nan_and_infinity_written_by_save_still_load(tmp_path) -> None:
    body = json_body({**valid_state_text(), "layers.1.bias": "[NaN, -Infinity]"})
    (tmp_path / "m.json").write_bytes(seal_json(body))
    model = scalar_model()
    checkpoint.load(model, tmp_path / "m.json")
    assert repr(model.state_dict()["layers.1.bias"]) == "[nan, -inf]"


def patch(raw: bytes, at: int, fmt: str, value: int) -> bytes:
    return raw[:at] + struct.pack(fmt, value) + raw[at + struct.calcsize(fmt) :]


def every(raw: bytes, signature: bytes) -> list[int]:
    out, at = [], raw.find(signature)
    while at >= 0:
        out.append(at)
        at = raw.find(signature, at + 1)
    return out


def npz_faults() -> dict[str, bytes]:
    """Malformed .npz checkpoints, every one sealed with a correct checksum (so the parser sees it)."""
    good = good_members()
    raw = zip_archive(good)
    central, local = every(raw, b"PK\x01\x02"), every(raw, b"PK\x03\x04")
    end = raw.rindex(b"PK\x05\x06")
    nested_shape = "(" * 1000 + ")" * 1000
    weight = "layers.0.weight.npy"
    faults = {
        # zip structure (zipfile raised NotImplementedError for a version needed above 6.3)
        "version needed 63, directory": patch(raw, central[1] + 6, "<H", 63),
        "version needed 255, directory": patch(raw, central[1] + 6, "<H", 0xFF),
        "version needed 63, local header": patch(raw, local[1] + 4, "<H", 63),
        "version needed 63, everywhere": patch(patch(raw, central[2] + 6, "<H", 63), local[2] + 4, "<H", 63),
        "method 8 in the directory only": patch(raw, central[1] + 10, "<H", 8),
        "method 99": patch(patch(raw, central[1] + 10, "<H", 99), local[1] + 8, "<H", 99),
        "declared size 2 GiB": patch(patch(raw, central[1] + 20, "<I", 2**31), central[1] + 24, "<I", 2**31),
        "declared size 4 GiB - 1": patch(
            patch(raw, central[1] + 20, "<I", 2**32 - 1), central[1] + 24, "<I", 2**32 - 1
        ),
        "local offset beyond the file": patch(raw, central[1] + 42, "<I", 2**32 - 1),
        "65,535 entries": patch(patch(raw, end + 8, "<H", 0xFFFF), end + 10, "<H", 0xFFFF),
        "directory size 4 GiB - 1": patch(raw, end + 12, "<I", 2**32 - 1),
        "directory offset 0": patch(raw, end + 16, "<I", 0),
        "zip64 extra field": patch(raw, central[1] + 30, "<H", 20),
        "a name with a NUL": raw.replace(b"layers.0.bias.npy", b"layers.0.bia\x00.npy"),
        "a name that is not UTF-8": raw.replace(b"layers.0.bias.npy", b"layers.0.bia\xff.npy"),
        "a member that is not .npy": zip_archive({**good, "notes.txt": b"hello"}),
        "a member twice": zip_archive([*good.items(), (weight, good[weight])]),
        "no header member": zip_archive({k: v for k, v in good.items() if not k.startswith("__")}),
        "a deflated copy": zip_archive(good, zipfile.ZIP_DEFLATED),
        # .npy headers (numpy evaluated them with ast.literal_eval: RecursionError when deeply nested)
        "deeply nested .npy shape": zip_archive(
            {
                **good,
                weight: npy(
                    "<f8",
                    (4, 3),
                    bytes(96),
                    f"{{'descr': '<f8', 'fortran_order': False, 'shape': {nested_shape}, }}",
                ),
            }
        ),
        "declared shape (10**12,)": zip_archive({**good, weight: npy("<f8", (10**12,), bytes(96))}),
        "declared shape (10**400,)": zip_archive({**good, weight: npy("<f8", (10**400,), bytes(96))}),
        "declared shape (2**32, 2**32)": zip_archive({**good, weight: npy("<f8", (2**32, 2**32), bytes(96))}),
        "shape (4, 3) of 95 bytes": zip_archive({**good, weight: npy("<f8", (4, 3), bytes(95))}),
        "shape (3, 4)": zip_archive({**good, weight: npy("<f8", (3, 4), bytes(96))}),
        "shape (04, 3)": zip_archive(
            {
                **good,
                weight: npy(
                    "<f8", (4, 3), bytes(96), "{'descr': '<f8', 'fortran_order': False, 'shape': (04, 3), }"
                ),
            }
        ),
        "dtype object (pickle)": zip_archive({**good, weight: npy("|O", (4, 3), bytes(96))}),
        "dtype >f8": zip_archive({**good, weight: npy(">f8", (4, 3), bytes(96))}),
        "dtype <c16": zip_archive({**good, weight: npy("<c16", (4, 3), bytes(192))}),
        "dtype <i8": zip_archive({**good, weight: npy("<i8", (4, 3), bytes(96))}),
        "fortran order": zip_archive(
            {
                **good,
                weight: npy(
                    "<f8", (4, 3), bytes(96), "{'descr': '<f8', 'fortran_order': True, 'shape': (4, 3), }"
                ),
            }
        ),
        "header as code": zip_archive({**good, weight: npy("<f8", (4, 3), bytes(96), "__import__('os')")}),
        ".npy version 3": zip_archive({**good, weight: good[weight][:6] + b"\x03\x00" + good[weight][8:]}),
        "header length beyond the member": zip_archive(
            {**good, weight: patch(good[weight], 8, "<H", 0xFFFF)}
        ),
        "not .npy at all": zip_archive({**good, weight: b"PK\x03\x04" + bytes(200)}),
        # the JSON header inside
        "header: 100,000 nested [": zip_archive({**good, "__checkpoint__.npy": meta_npy(DEEP)}),
        "header: 1,100 nested [ (under the size limit)": zip_archive(
            {**good, "__checkpoint__.npy": meta_npy("[" * 1_100 + "]" * 1_100)}
        ),
        "header: 400 nested [": zip_archive({**good, "__checkpoint__.npy": meta_npy("[" * 400 + "]" * 400)}),
        "header: 1e400": zip_archive(
            {
                **good,
                "__checkpoint__.npy": meta_npy(
                    json.dumps(good_meta()).replace('"version": 2', '"version": 1e400')
                ),
            }
        ),
        "header: version 1": zip_archive(
            {**good, "__checkpoint__.npy": meta_npy({**good_meta(), "version": 1})}
        ),
        "header: backend scalar": zip_archive(
            {**good, "__checkpoint__.npy": meta_npy({**good_meta(), "backend": "scalar"})}
        ),
        "header: shapes lie": zip_archive(
            {**good, "__checkpoint__.npy": meta_npy(good_meta({n: [1] for n in NAMES}))}
        ),
        "header: not UTF-32": zip_archive(
            {**good, "__checkpoint__.npy": npy("<U2", (), b"\xff\xff\xff\xff" * 2)}
        ),
        "header: float array": zip_archive({**good, "__checkpoint__.npy": npy("<f8", (), bytes(8))}),
        "header: repeated key": zip_archive(
            {**good, "__checkpoint__.npy": meta_npy(json.dumps(good_meta())[:-1] + ', "version": 2}')}
        ),
        # whole files
        "empty": b"",
        "86 zero bytes": bytes(86),
        "not a zip": reseal_npz(b"not a zip file" + bytes(100)),
    }
    return {label: reseal_npz(raw) if raw else raw for label, raw in faults.items()}  # patches resealed


def test_malformed_npz_files_are_value_errors(tmp_path) -> None:
    started, tried, handled = time.perf_counter(), 0, 0
    model, path, missed = tensor_model(2), tmp_path / "m.npz", []
    for label, raw in npz_faults().items():
        path.write_bytes(raw)
        tried += 1
        try:
            result = outcome(model, path, (ValueError,))
        except Exception as e:  # pragma: no cover - reported with the fault's name
            raise AssertionError(f"{label}: {type(e).__name__}: {str(e)[:200]}") from e
        handled += result == "ValueError"
        missed += [label] if result != "ValueError" else []
    report("npz malformed (resealed)", tried, handled, started, missed)


def test_an_npz_of_another_architecture_is_a_key_error(tmp_path) -> None:
    good = good_members()
    meta = good_meta({**good_meta()["shapes"], "layers.2.weight": [2, 4]})
    deeper = {
        **good,
        "__checkpoint__.npy": meta_npy(meta),
        "layers.2.weight.npy": good["layers.1.weight.npy"],
    }
    (tmp_path / "m.npz").write_bytes(zip_archive(deeper))
    with pytest.raises(KeyError, match=r"unexpected parameters \['layers.2.weight'\]"):
        checkpoint.load(tensor_model(), tmp_path / "m.npz")


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path, suffix) -> None:
    path = tmp_path / f"m{suffix}"
    with open(path, "wb") as f:
        f.truncate(16 * 2**30)  # 16 GiB of holes: reading it would take minutes
    started = time.perf_counter()
    model = scalar_model() if suffix == ".json" else tensor_model()
    assert outcome(model, path, (ValueError,)) == "ValueError"
    assert time.perf_counter() - started < 2.0


def test_file_system_faults_are_os_errors(tmp_path) -> None:
    started, tried, handled = time.perf_counter(), 0, 0
    (tmp_path / "dir.json").mkdir()
    os.symlink(tmp_path / "loop.json", tmp_path / "loop.json")
    os.symlink(tmp_path / "nowhere.json", tmp_path / "dangling.json")
    cases = [
        tmp_path / "dir.json",
        tmp_path / "loop.json",
        tmp_path / "dangling.json",
        tmp_path / "x" / "m.json",
    ]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.json")
        cases.append(tmp_path / "fifo.json")
    if os.path.exists("/dev/zero"):
        os.symlink("/dev/zero", tmp_path / "zero.json")
        cases.append(tmp_path / "zero.json")
    if os.geteuid() != 0:
        (tmp_path / "secret.json").write_bytes(b"{}")
        os.chmod(tmp_path / "secret.json", 0)
        cases.append(tmp_path / "secret.json")
    for path in cases:
        tried += 1
        handled += outcome(scalar_model(), path, (OSError,)) in (
            "FileNotFoundError",
            "IsADirectoryError",
            "OSError",
            "PermissionError",
        )
    report("file system", tried, handled, started)


# ---------------------------------------------------------------------------------------------
# peak memory of a zip bomb and a huge declared shape (fresh interpreter, ru_maxrss)
# ---------------------------------------------------------------------------------------------

BOMB_MIB = 256

MEASURE = textwrap.dedent(
    """
    import json, resource, sys, tracemalloc
    import numpy
    from micrograd_tips import checkpoint
    from micrograd_tips.tensor import nn as tnn

    model = tnn.MLP(3, [4, 2], seed=0, dtype="float64")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()  # sees NumPy's allocations even where untouched pages add no RSS
    try:
        if sys.argv[2] == "checkpoint":
            checkpoint.load(model, sys.argv[1])
        else:  # the control: what numpy.load (and so the old loader) does with the same file
            with numpy.load(sys.argv[1], allow_pickle=False) as archive:
                archive["layers.0.weight"]
        result = "loaded"
    except BaseException as e:
        result = type(e).__name__
    allocated = tracemalloc.get_traced_memory()[1] / 2**20
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"result": result, "grew_mib": max(grew, allocated)}))
    """
)


def peak(path: Path, how: str) -> dict[str, Any]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), how], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def zip_bomb(path: Path, mib: int) -> None:
    """A real zip bomb: `layers.0.weight.npy` deflated, a valid .npy of `mib` MiB of zeros
    (about 1000:1), beside the right header member; the checksum comment is correct."""
    header = npy("<f8", (mib * 2**17,), b"")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in good_members().items():
            if name != "layers.0.weight.npy":
                archive.writestr(name, data)
        with archive.open("layers.0.weight.npy", "w") as member:
            member.write(header)
            zeros = bytes(2**20)
            for _ in range(mib):
                member.write(zeros)
        archive.comment = b"0" * 64
    path.write_bytes(reseal_npz(path.read_bytes()))


@pytest.mark.slow
def test_a_zip_bomb_is_refused_in_bounded_memory(tmp_path) -> None:
    started = time.perf_counter()
    path = tmp_path / "bomb.npz"
    zip_bomb(path, BOMB_MIB)
    assert path.stat().st_size < BOMB_MIB * 2**20 // 100
    ours = peak(path, "checkpoint")
    assert ours["result"] == "ValueError" and ours["grew_mib"] < 16, ours
    control = peak(path, "numpy")  # the measurement can see a bomb go off
    assert control["grew_mib"] > BOMB_MIB * 0.75, control
    print(
        f"\nfaults[zip bomb {BOMB_MIB} MiB in {path.stat().st_size} bytes]: load {ours}, numpy.load {control}"
    )
    report("zip bomb", 1, 1, started)


@pytest.mark.slow
def test_a_huge_declared_shape_is_refused_in_bounded_memory(tmp_path) -> None:
    started = time.perf_counter()
    path = tmp_path / "huge.npz"
    path.write_bytes(zip_archive({**good_members(), "layers.0.weight.npy": npy("<f8", (10**12,), bytes(96))}))
    ours = peak(path, "checkpoint")
    assert ours["result"] == "ValueError" and ours["grew_mib"] < 16, ours
    control = peak(path, "numpy")
    print(f"\nfaults[shape (10**12,)]: load {ours}, numpy.load {control}")
    report("huge declared shape", 1, 1, started)


# ---------------------------------------------------------------------------------------------
# SIGKILL during saves
# ---------------------------------------------------------------------------------------------

KILLER = textwrap.dedent(
    """
    import glob, json, os, random, signal, sys, time
    from micrograd_tips import checkpoint

    path, kills = sys.argv[1], int(sys.argv[2])
    if path.endswith(".npz"):
        from micrograd_tips.tensor import nn as tnn
        make = lambda seed: tnn.MLP(100, [200, 100, 10], seed=seed, dtype="float64")
    else:
        from micrograd_tips.nn import MLP
        make = lambda seed: MLP(20, [40, 10], seed=seed)
    a, b, probe = make(1), make(2), make(3)
    text = lambda m: repr({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in m.state_dict().items()})
    known = {text(a), text(b)}
    temps = lambda: glob.glob(os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".*.tmp"))
    start = time.perf_counter()
    checkpoint.save(a, path)
    one_save = time.perf_counter() - start
    rng = random.Random(0)
    mid_save = 0
    for i in range(kills):
        pid = os.fork()
        if pid == 0:  # the child saves b, a, b, ... until it is killed
            try:
                while True:
                    checkpoint.save(b, path)
                    checkpoint.save(a, path)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 3.0 * one_save))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        mid_save += bool(temps())
        checkpoint.load(probe, path)  # the previous checkpoint is intact
        assert text(probe) in known, "a killed save left other weights"
        checkpoint.save(a if i % 2 else b, path)  # the next save
        assert temps() == [], temps()
    print(json.dumps({"kills": kills, "left_temp_files": mid_save, "one_save_s": one_save}))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_sigkill_during_saves_keeps_the_previous_checkpoint_and_no_temp_file(tmp_path, suffix) -> None:
    started, kills = time.perf_counter(), 100
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(tmp_path / f"m{suffix}"), str(kills)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nfaults[SIGKILL {suffix}]: {result}")
    assert result["left_temp_files"] >= kills // 10, "too few kills landed inside a save to test anything"
    assert sorted(os.listdir(tmp_path)) == [f"m{suffix}"]
    report(f"SIGKILL during {suffix} saves", kills, kills, started)


# ---------------------------------------------------------------------------------------------
# load_state_dict with a number beyond float64 (the methods live in nn.py / tensor/module.py)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [scalar_model, tensor_model], ids=["scalar", "numpy"])
def test_load_state_dict_with_a_number_beyond_float64_is_a_value_error(make: Callable[[], Any]) -> None:
    model = make()
    state = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in model.state_dict().items()}
    state["layers.1.bias"][0] = 10**400
    before = snapshot(model)
    with pytest.raises(ValueError, match="float64"):
        model.load_state_dict(state)
    assert snapshot(model) == before
