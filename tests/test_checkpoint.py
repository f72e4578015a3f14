"""Checkpoints: round trips (both formats, across backends), corrupted files, mismatched models."""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import zipfile

import pytest

from micrograd_tips import checkpoint
from micrograd_tips.nn import MLP


def scalar_model(seed: int = 0, sizes=(4, 2)) -> MLP:
    return MLP(3, list(sizes), seed=seed)


def test_json_round_trip_restores_every_weight_exactly(tmp_path) -> None:
    src, dst = scalar_model(1), scalar_model(2)
    src.layers[0].weight[1][2].data = 0.1 + 0.2  # a float needing all 17 digits
    path = checkpoint.save(src, tmp_path / "m.json")
    assert path == str(tmp_path / "m.json")
    checkpoint.load(dst, tmp_path / "m.json")
    assert dst.state_dict() == src.state_dict()
    x = [0.3, -1.2, 2.0]
    assert [v.data for v in dst(x)] == [v.data for v in src(x)]


def test_json_file_layout_has_format_version_names_and_shapes(tmp_path) -> None:
    checkpoint.save(scalar_model(), tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "micrograd_tips.checkpoint" and doc["version"] == 2
    assert doc["shapes"] == {
        "layers.0.weight": [4, 3],
        "layers.0.bias": [4],
        "layers.1.weight": [2, 4],
        "layers.1.bias": [2],
    }
    assert len(doc["state"]["layers.0.weight"]) == 4


def test_nan_and_inf_survive_the_round_trip(tmp_path) -> None:
    src, dst = scalar_model(), scalar_model(5)
    src.layers[1].bias[0].data = math.nan
    src.layers[1].bias[1].data = -math.inf
    checkpoint.save(src, tmp_path / "m.json")
    checkpoint.load(dst, tmp_path / "m.json")
    assert math.isnan(dst.layers[1].bias[0].data) and dst.layers[1].bias[1].data == -math.inf


def tensor_model(seed: int = 0, sizes=(4, 2)):
    pytest.importorskip("numpy")
    from micrograd_tips.tensor import nn as tnn

    return tnn.MLP(3, list(sizes), seed=seed, dtype="float64")


def test_npz_round_trip_and_no_pickle(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    src, dst = tensor_model(1), tensor_model(2)
    checkpoint.save(src, tmp_path / "m.npz")
    checkpoint.load(dst, tmp_path / "m.npz")
    for name, arr in src.state_dict().items():
        assert np.array_equal(dst.state_dict()[name], arr)
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        header = json.loads(str(archive["__checkpoint__"]))
        assert header["version"] == 2 and header["shapes"]["layers.0.weight"] == [4, 3]
        assert archive["layers.1.weight"].shape == (2, 4)


def test_checkpoints_load_across_backends(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    scalar, tensor = scalar_model(3), tensor_model(4)
    checkpoint.save(scalar, tmp_path / "s.json")
    checkpoint.load(tensor, tmp_path / "s.json")
    for name, arr in tensor.state_dict().items():
        assert np.array_equal(arr, np.array(scalar.state_dict()[name]))
    other = tensor_model(9)
    checkpoint.save(other, tmp_path / "t.npz")
    checkpoint.load(scalar, tmp_path / "t.npz")
    for name, arr in other.state_dict().items():
        assert np.array_equal(np.array(scalar.state_dict()[name]), arr)


def assert_untouched(model, before) -> None:
    after = model.state_dict()
    assert set(after) == set(before)
    for k in before:
        assert json.dumps(after[k] if isinstance(after[k], list) else after[k].tolist()) == json.dumps(
            before[k] if isinstance(before[k], list) else before[k].tolist()
        )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: raw.replace(b'"version": 2', b'"version": 99'),
        lambda raw: raw.replace(b'"format": "micrograd_tips.checkpoint"', b'"format": "other"'),
        lambda raw: raw.replace(b'"layers.0.bias": [4]', b'"layers.0.bias": [5]'),  # header lies
        lambda raw: raw.replace(b"[[", b'[["x", ', 1),  # a string among the numbers
        lambda raw: b"\xff\xfe" + raw,  # not UTF-8
        lambda raw: b"[1, 2, 3]",  # JSON, but not a checkpoint
    ],
)
def test_a_corrupted_json_file_is_rejected_and_the_model_untouched(tmp_path, mutate) -> None:
    path = tmp_path / "m.json"
    checkpoint.save(scalar_model(1), path)
    damaged = mutate(path.read_bytes())
    assert damaged != path.read_bytes()
    path.write_bytes(damaged)
    model = scalar_model(2)
    before = model.state_dict()
    with pytest.raises(ValueError, match="corrupted"):
        checkpoint.load(model, path)
    assert_untouched(model, before)


def test_a_corrupted_npz_file_is_rejected_and_the_model_untouched(tmp_path) -> None:
    pytest.importorskip("numpy")
    checkpoint.save(tensor_model(1), tmp_path / "m.npz")
    path = tmp_path / "m.npz"
    raw = path.read_bytes()
    model = tensor_model(2)
    before = model.state_dict()
    for damaged in (raw[: len(raw) // 2], b"not a zip file", raw[:100] + bytes(len(raw) - 100)):
        path.write_bytes(damaged)
        with pytest.raises(ValueError, match="corrupted"):
            checkpoint.load(model, path)
        assert_untouched(model, before)


def test_a_checkpoint_of_another_architecture_is_rejected(tmp_path) -> None:
    checkpoint.save(scalar_model(1, (4, 2)), tmp_path / "m.json")
    wider = scalar_model(2, (5, 2))
    before = wider.state_dict()
    with pytest.raises(ValueError, match=r"'layers.0.weight' of shape \(4, 3\); the model expects \(5, 3\)"):
        checkpoint.load(wider, tmp_path / "m.json")
    assert_untouched(wider, before)
    deeper = scalar_model(3, (4, 4, 2))
    before = deeper.state_dict()
    with pytest.raises(KeyError, match=r"layers\.2"):
        checkpoint.load(deeper, tmp_path / "m.json")
    assert_untouched(deeper, before)


def test_format_must_match_the_model_and_the_suffix(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"\.json"):
        checkpoint.save(scalar_model(), tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"ending in \.json"):
        checkpoint.save(scalar_model(), tmp_path / "m.pkl")
    with pytest.raises(FileNotFoundError):
        checkpoint.load(scalar_model(), tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError, match="directory"):
        checkpoint.save(scalar_model(), tmp_path / "nowhere" / "m.json")
    with pytest.raises(TypeError, match="path"):
        checkpoint.save(scalar_model(), 42)
    with pytest.raises(TypeError, match="state_dict"):
        checkpoint.save(object(), tmp_path / "m.json")


def test_save_is_atomic_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "m.json"
    checkpoint.save(scalar_model(1), path)
    old = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save(scalar_model(2), path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]  # no temp file left behind
    monkeypatch.undo()
    checkpoint.save(scalar_model(2), path)
    assert path.read_bytes() != old and os.listdir(tmp_path) == ["m.json"]


# ---------------------------------------------------------------------------------------------
# checksums (format version 2)
# ---------------------------------------------------------------------------------------------

JSON_TRAILER = len(b', "sha256": "') + 64 + len(b'"}\n')


def reseal_json(raw: bytes) -> bytes:
    """Recompute the checksum of a (changed) JSON checkpoint, as an attacker could: SHA-256 of the
    bytes before the trailer (computed here with hashlib, independently of the module)."""
    body = raw[:-JSON_TRAILER]
    return body + b', "sha256": "' + hashlib.sha256(body).hexdigest().encode() + b'"}\n'


def test_json_checksum_is_the_sha256_of_every_byte_before_it(tmp_path) -> None:
    checkpoint.save(scalar_model(), tmp_path / "m.json")
    raw = (tmp_path / "m.json").read_bytes()
    at = raw.rindex(b', "sha256": "')
    assert len(raw) - at == JSON_TRAILER and raw.endswith(b'"}\n')
    assert json.loads(raw)["sha256"] == hashlib.sha256(raw[:at]).hexdigest()


def test_npz_checksum_is_the_archive_comment_and_numpy_reads_the_file(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    model = tensor_model(3)
    checkpoint.save(model, tmp_path / "m.npz")
    raw = (tmp_path / "m.npz").read_bytes()
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert archive.comment == hashlib.sha256(raw[:-64]).hexdigest().encode()
        assert archive.testzip() is None  # every member's CRC-32 is right
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        for name, arr in model.state_dict().items():
            assert archive[name].dtype == arr.dtype and np.array_equal(archive[name], arr)


def test_a_float32_model_round_trips_bit_for_bit(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    from micrograd_tips.tensor import nn as tnn

    src, dst = tnn.MLP(3, [4, 2], seed=1, dtype="float32"), tnn.MLP(3, [4, 2], seed=2, dtype="float32")
    checkpoint.save(src, tmp_path / "m.npz")
    checkpoint.load(dst, tmp_path / "m.npz")
    for name, arr in src.state_dict().items():
        assert dst.state_dict()[name].dtype == np.float32
        assert dst.state_dict()[name].tobytes() == arr.tobytes()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda raw: raw.replace(b'"version": 2', b'"version": 99'),
        lambda raw: raw.replace(b'"layers.0.bias": [4]', b'"layers.0.bias": [5]'),
        lambda raw: raw.replace(b"[[", b'[["x", ', 1),
        lambda raw: raw.replace(b'"backend": "scalar"', b'"backend": "numpy"'),
        lambda raw: raw.replace(b'"layers.1.bias": [', b'"layers.1.bias": [[', 1),
    ],
)
def test_a_changed_file_with_a_recomputed_checksum_is_still_checked(tmp_path, mutate) -> None:
    path = tmp_path / "m.json"
    checkpoint.save(scalar_model(1), path)
    raw = path.read_bytes()
    damaged = reseal_json(mutate(raw[:-JSON_TRAILER]) + raw[-JSON_TRAILER:])
    assert damaged != raw
    path.write_bytes(damaged)
    model = scalar_model(2)
    before = model.state_dict()
    with pytest.raises(ValueError, match="corrupted"):
        checkpoint.load(model, path)
    assert_untouched(model, before)


def test_one_changed_digit_is_detected(tmp_path) -> None:
    """The issue's case: a digit changed by hand loaded silently with different weights."""
    path = tmp_path / "m.json"
    checkpoint.save(scalar_model(1), path)
    raw = path.read_bytes()
    at = raw.index(b'"state"') + raw[raw.index(b'"state"') :].index(b".") + 1  # first digit after a point
    changed = raw[:at] + bytes([ord("0") + (raw[at] - ord("0") + 1) % 10]) + raw[at + 1 :]
    path.write_bytes(changed)
    with pytest.raises(ValueError, match="checksum does not match"):
        checkpoint.load(scalar_model(2), path)


def test_a_version_1_file_without_checksum_is_refused_naming_the_checksum(tmp_path) -> None:
    model = scalar_model(1)
    state = model.state_dict()
    shapes = {
        "layers.0.weight": [4, 3],
        "layers.0.bias": [4],
        "layers.1.weight": [2, 4],
        "layers.1.bias": [2],
    }
    old = {"format": "micrograd_tips.checkpoint", "version": 1, "backend": "scalar", "shapes": shapes}
    (tmp_path / "old.json").write_text(json.dumps({**old, "state": state}))
    with pytest.raises(ValueError, match=r"'sha256' checksum.*version-1"):
        checkpoint.load(scalar_model(2), tmp_path / "old.json")


def test_a_numpy_savez_file_without_checksum_is_refused(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    model = tensor_model(1)
    np.savez(tmp_path / "plain.npz", **model.state_dict())
    with pytest.raises(ValueError, match="corrupted or not a micrograd_tips checkpoint"):
        checkpoint.load(tensor_model(2), tmp_path / "plain.npz")


# ---------------------------------------------------------------------------------------------
# saving: symlinks, permissions, temp files
# ---------------------------------------------------------------------------------------------


def test_save_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path) -> None:
    (tmp_path / "real").mkdir()
    checkpoint.save(scalar_model(1), tmp_path / "real" / "m.json")
    os.symlink(os.path.join("real", "m.json"), tmp_path / "link.json")  # a relative link
    checkpoint.save(scalar_model(2), tmp_path / "link.json")
    assert os.path.islink(tmp_path / "link.json")
    assert os.readlink(tmp_path / "link.json") == os.path.join("real", "m.json")
    loaded = scalar_model(7)
    checkpoint.load(loaded, tmp_path / "real" / "m.json")
    assert loaded.state_dict() == scalar_model(2).state_dict()
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real"]
    assert os.listdir(tmp_path / "real") == ["m.json"]  # the temp file was made beside the target


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path) -> None:
    os.symlink(tmp_path / "target.json", tmp_path / "link.json")
    checkpoint.save(scalar_model(1), tmp_path / "link.json")
    assert os.path.islink(tmp_path / "link.json") and (tmp_path / "target.json").is_file()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o444])
def test_an_existing_file_keeps_its_permission_bits(tmp_path, mode) -> None:
    path = tmp_path / "m.json"
    checkpoint.save(scalar_model(1), path)
    os.chmod(path, mode)
    checkpoint.save(scalar_model(2), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    os.chmod(path, 0o644)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_usual_umask_mode(tmp_path, umask) -> None:
    old = os.umask(umask)
    try:
        checkpoint.save(scalar_model(1), tmp_path / "m.json")
        with open(tmp_path / "plain", "w"):  # what open() gives is the usual mode
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "m.json").st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(os.stat(tmp_path / "m.json").st_mode) == stat.S_IMODE(
        os.stat(tmp_path / "plain").st_mode
    )


def test_the_next_save_removes_temp_files_of_dead_saves_only(tmp_path) -> None:
    path = tmp_path / "m.json"
    dead = ".m.json.4194305-0123456789abcdef.tmp"  # above Linux's largest pid: no such process
    legacy = ".m.json.k2j4_x9a.tmp"  # tempfile.mkstemp's name, from before pids were recorded
    running = f".m.json.{os.getpid()}-fedcba9876543210.tmp"  # this process: maybe another thread's save
    others = [".other.json.4194305-0123456789abcdef.tmp", ".m.json.notes.tmp", "m.json.bak"]
    for name in [dead, legacy, running, *others]:
        (tmp_path / name).write_bytes(b"partial")
    checkpoint.save(scalar_model(1), path)
    assert sorted(os.listdir(tmp_path)) == sorted(["m.json", running, *others])


def test_load_refuses_a_directory_and_a_fifo_without_blocking(tmp_path) -> None:
    (tmp_path / "d.json").mkdir()
    with pytest.raises(IsADirectoryError, match="regular file"):
        checkpoint.load(scalar_model(), tmp_path / "d.json")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "f.json")
        with pytest.raises(OSError, match="regular file"):
            checkpoint.load(scalar_model(), tmp_path / "f.json")
