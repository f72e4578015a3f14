"""Checkpoints: round trips (both formats, across backends), corrupted files, mismatched models."""

from __future__ import annotations

import json
import math
import os

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
    assert doc["format"] == "micrograd_tips.checkpoint" and doc["version"] == 1
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
        assert header["version"] == 1 and header["shapes"]["layers.0.weight"] == [4, 3]
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
        lambda raw: raw.replace(b'"version": 1', b'"version": 99'),
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
    with pytest.raises(ValueError, match=r"must end in"):
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
