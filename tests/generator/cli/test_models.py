"""The model commands: every option has help, bad input ends in one clear line."""

from __future__ import annotations

import numpy as np
import pytest

from generator.cli.main import build_parser, main
from generator.common.fileio import wav_write


def _run(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_every_model_option_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    subs = [commands["animate"], commands["evaluate"],
            *commands["train"]._subparsers._group_actions[0].choices.values(),
            commands["stimuli"]._subparsers._group_actions[0].choices["task2"]]
    for sub in subs:
        for action in sub._actions:
            assert action.help, f"{sub.prog} {action.option_strings} has no help"


@pytest.mark.parametrize(("audio", "message"), [
    (np.zeros(16000, np.float32), "silent"),
    (np.full(800, 0.2, np.float32), "at least 0.2 s"),
])
def test_animate_refuses_audio_it_cannot_animate(tmp_path, capsys, audio, message):
    wav = wav_write(tmp_path / "in.wav", audio, 16000)
    code, err = _run(capsys, "animate", "--audio", str(wav), "--emotion", "joy",
                     "--out", str(tmp_path / "o.mp4"), "--runs", str(tmp_path))
    assert code == 1 and message in err and "Traceback" not in err


def test_animate_other_sample_rates_reach_the_model(tmp_path, capsys):
    # 44.1 kHz speech is resampled; with no trained model the run stops with the command to train.
    t = np.arange(44100) / 44100
    wav = wav_write(tmp_path / "in.wav", (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32),
                    44100)
    code, err = _run(capsys, "animate", "--audio", str(wav), "--emotion", "joy",
                     "--out", str(tmp_path / "o.mp4"), "--runs", str(tmp_path / "none"))
    assert code == 1 and "no trained ETAD" in err and "train etad" in err


def test_animate_unknown_emotion_and_character(tmp_path, capsys):
    wav = wav_write(tmp_path / "in.wav", np.full(16000, 0.2, np.float32), 16000)
    code, err = _run(capsys, "animate", "--audio", str(wav), "--emotion", "boredom",
                     "--out", str(tmp_path / "o.mp4"))
    assert code == 1 and "unknown emotion 'boredom'" in err
    code, err = _run(capsys, "animate", "--audio", str(wav), "--emotion", "joy",
                     "--character", "Nobody", "--out", str(tmp_path / "o.mp4"))
    assert code == 1 and "unknown character 'Nobody'" in err


def test_evaluate_without_trained_models_names_the_command(tiny_dataset, tmp_path, capsys):
    code, err = _run(capsys, "evaluate", "--table3", "--data", str(tiny_dataset),
                     "--runs", str(tmp_path))
    assert code == 1 and "python -m generator train" in err


def test_train_etad_without_a_dataset(tmp_path, capsys, tiny_hubert):
    code, err = _run(capsys, "train", "etad", "--data", str(tmp_path / "nothing"),
                     "--hubert", str(tiny_hubert), "--out", str(tmp_path / "run"))
    assert code == 1 and "dataset build" in err


def test_train_etad_pretrains_hubert_in_any_new_folder(tiny_dataset, tmp_path, capsys,
                                                       tiny_defaults):
    hubert = tmp_path / "my-hubert"
    code = main(["train", "etad", "--data", str(tiny_dataset), "--hubert", str(hubert),
                 "--out", str(tmp_path / "run"), "--steps", "2"])
    assert code == 0 and "pretraining the project's small HuBERT" in capsys.readouterr().out
    assert (hubert / "config.json").is_file() and (tmp_path / "run" / "etad.pt").is_file()


def test_train_etad_refuses_a_hubert_folder_that_holds_something_else(tiny_dataset, tmp_path,
                                                                      capsys):
    (tmp_path / "hubert-base").mkdir()
    (tmp_path / "hubert-base" / "README").write_text("copy the checkpoint here")
    code, err = _run(capsys, "train", "etad", "--data", str(tiny_dataset), "--hubert",
                     str(tmp_path / "hubert-base"), "--out", str(tmp_path / "run"))
    assert code == 1 and "not a HuBERT checkpoint folder" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_animate_with_a_model_file_of_an_earlier_version_is_one_line(tmp_path, capsys):
    """ETAD's config format changed: an older etad.pt (or any foreign file) is refused
    with the command that trains a new one, not a traceback."""
    import torch

    (tmp_path / "etad").mkdir()
    torch.save({"config": {"steps": 5000}, "model": {}}, tmp_path / "etad" / "etad.pt")
    wav = wav_write(tmp_path / "in.wav", np.full(16000, 0.2, np.float32), 16000)
    code, err = _run(capsys, "animate", "--audio", str(wav), "--emotion", "joy",
                     "--out", str(tmp_path / "o.mp4"), "--runs", str(tmp_path))
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
    assert "written by an earlier version" in err and "generator train etad --out" in err
