"""``train etad``: ETAD on the primary character's 75 % split (paper 5.1.2).

Deterministic: the model is initialised from ``seed``, and the batch of step
``s`` is drawn from a generator seeded by ``(seed, s)``, so a run interrupted
and resumed from its checkpoint (every ``CHECKPOINT_EVERY`` steps and at the
end, ``OUT/checkpoint.pt``) continues exactly as if it had not stopped.
HuBERT is frozen: its hidden layers are computed once per clip and cached under
``OUT/../cache`` (keyed by the checkpoint and the dataset items), so the three
Table 3 variants share one extraction.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from generator.common.errors import InputError
from generator.models.checkpoint import checkpoint_load, checkpoint_resume, checkpoint_save
from generator.models.data import AUDIO_RATE, FACE, Item, emotion_index, item_audio, item_track, split_items
from generator.models.etad import ETAD, ETADConfig, LossConfig, etad_loss
from generator.models.hubert import HubertHandle, hidden_states, hubert_load
from generator.models.mfcc import mfcc_windows
from generator.rig.character import primary_character
from generator.rig.controls import FPS

CHECKPOINT_EVERY = 100
RETRAIN = "python -m generator train etad"


@dataclass(frozen=True)
class TrainConfig:
    """How ETAD is trained (the network is ``ETADConfig``); saved beside it in the checkpoint."""

    crop: int = 64               # frames per training example (2.56 s; the paper's LSTM: 100)
    batch: int = 8
    steps: int = 5000            # about 5 minutes on one core
    lr: float = 3e-3             # peak of the one-cycle schedule
    seed: int = 0                # initial weights; the batch of step s comes from (seed, s)
    loss: LossConfig = field(default_factory=LossConfig)  # Eq. 5


def clip_features(handle: HubertHandle, audio: np.ndarray, n_frames: int | None = None):
    """(N, 2T, D) HuBERT layers and (T, 28, 12) MFCC windows of one clip at 25 fps."""
    if n_frames is None:
        n_frames = math.ceil(len(audio) * FPS / AUDIO_RATE)
    return hidden_states(handle, audio, n_frames), mfcc_windows(audio, n_frames)


def dataset_features(handle: HubertHandle, items: list[Item], cache_dir: Path) -> list[dict]:
    """Per item: HuBERT layers, MFCC windows, face target (T, 43) and emotion; cached."""
    from tqdm import tqdm

    key = hashlib.sha256(json.dumps([handle.fingerprint] + [i.meta["inputs_sha"] for i in items])
                         .encode()).hexdigest()[:20]
    path = Path(cache_dir) / f"features-{key}.pt"
    if path.is_file():
        try:
            return checkpoint_load(path, "etad features", retrain=RETRAIN)["clips"]
        except InputError:
            pass  # another version's cache: extract again
    out = []
    for item in tqdm(items, desc="HuBERT + MFCC features", dynamic_ncols=True):
        track = item_track(item)
        h, w = clip_features(handle, item_audio(item), len(track))
        out.append({"id": item.id, "hubert": h.half(), "windows": w,
                    "face": torch.from_numpy(track[:, FACE]), "emotion": emotion_index(item.emotion)})
    checkpoint_save(path, "etad features", {"clips": out})
    return out


def _batch(features: list[dict], cfg: TrainConfig, step: int):
    """The deterministic batch of ``step``: random clips, random crops of ``crop`` frames."""
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + step)
    crop = min(cfg.crop, min(len(f["face"]) for f in features))
    hub, win, face, emo = [], [], [], []
    for k in torch.randint(len(features), (cfg.batch,), generator=gen).tolist():
        f = features[k]
        s = int(torch.randint(len(f["face"]) - crop + 1, (1,), generator=gen))
        hub.append(f["hubert"][:, 2 * s:2 * (s + crop)].float())
        win.append(f["windows"][s:s + crop])
        face.append(f["face"][s:s + crop])
        emo.append(f["emotion"])
    return torch.stack(hub), torch.stack(win), torch.stack(face), torch.tensor(emo)


def _validate(model: ETAD, features: list[dict]) -> dict[str, float]:
    """F-RPD and M-RPD on whole clips (the definitions of docs/models.md)."""
    from generator.models.evaluate import rpd

    model.eval()
    preds, truths = [], []
    with torch.no_grad():
        for f in features:
            out = model(f["hubert"][None].float(), f["windows"][None], torch.tensor([f["emotion"]]))
            preds.append(out[0].clamp(0, 1).numpy())
            truths.append(f["face"].numpy())
    model.train()
    return rpd(preds, truths)


def etad_train(*, data: Path, out: Path, hubert: Path, model_cfg: ETADConfig | None = None,
               train_cfg: TrainConfig | None = None, progress: bool = True) -> Path:
    """Train (or resume) ETAD; write ``OUT/etad.pt`` and ``OUT/metrics.json``.

    The network's HuBERT sizes (N layers, D) are taken from the HuBERT at ``hubert``;
    neither config is changed.
    """
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = train_cfg or TrainConfig()
    handle = hubert_load(hubert)
    if cfg.crop < 8 or cfg.batch < 1 or cfg.steps < 1:
        raise InputError("crop must be at least 8 frames, batch and steps at least 1")
    net = replace(model_cfg or ETADConfig(), hubert_layers=handle.n_layers, hubert_dim=handle.dim)
    configs = {"model_config": asdict(net), "train_config": asdict(cfg)}
    cache = out.parent / "cache"
    primary = primary_character().slug
    train_items = split_items(data, primary, "train")
    train = dataset_features(handle, train_items, cache)
    test = dataset_features(handle, split_items(data, primary, "test"), cache)
    # What the run learns from besides its config: resuming on other inputs would mix two runs.
    inputs = {"hubert_fingerprint": handle.fingerprint,
              "train_items": [i.meta["inputs_sha"] for i in train_items]}

    torch.manual_seed(cfg.seed)
    model = ETAD(net)
    windows = torch.cat([f["windows"].reshape(-1, 12) for f in train])
    model.mfcc_mean.copy_(windows.mean(0))
    model.mfcc_std.copy_(windows.std(0) + 1e-5)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, cfg.lr, total_steps=cfg.steps,
                                                   pct_start=0.05)
    ckpt_path, start, history, wall = out / "checkpoint.pt", 0, [], 0.0
    state = checkpoint_resume(ckpt_path, "etad training")
    if state is not None:
        if all(state[k] == v for k, v in configs.items()) and state["inputs"] == inputs:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            schedule.load_state_dict(state["schedule"])
            start, history, wall = state["step"], state["history"], state["wall_s"]
            torch.set_rng_state(state["torch_rng"])  # dropout continues as if never stopped
            print(f"resuming {ckpt_path} at step {start}")
        else:
            print(f"{ckpt_path} was trained with another config, HuBERT or training set: "
                  "starting again")

    began = time.perf_counter() - wall

    def save(step: int) -> None:
        checkpoint_save(ckpt_path, "etad training", {
            "wall_s": time.perf_counter() - began, **configs, "inputs": inputs,
            "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(), "step": step, "history": history,
            "torch_rng": torch.get_rng_state()})

    model.train()
    bar = tqdm(range(start, cfg.steps), desc=f"train etad ({out.name})", initial=start,
               total=cfg.steps, disable=not progress, dynamic_ncols=True)
    for step in bar:
        hub, win, face, emo = _batch(train, cfg, step)
        terms = etad_loss(model(hub, win, emo), face, cfg.loss)
        optimizer.zero_grad()
        terms["total"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        bar.set_postfix({k: f"{v.item():.4f}" for k, v in terms.items()})
        if (step + 1) % CHECKPOINT_EVERY == 0 or step + 1 == cfg.steps:
            history.append({"step": step + 1, **{k: round(v.item(), 6) for k, v in terms.items()}})
            save(step + 1)
    checkpoint_save(out / "etad.pt", "etad", {
        **configs, "model": model.state_dict(), "hubert": str(hubert),
        "hubert_fingerprint": handle.fingerprint, "step": cfg.steps})
    metrics = {"train": _validate(model, train), "test": _validate(model, test),
               "train_wall_s": round(time.perf_counter() - began, 1),
               "threads": torch.get_num_threads(), "history": history}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return out / "etad.pt"


def etad_load(path: Path) -> tuple[ETAD, HubertHandle]:
    """A trained ETAD and the HuBERT it was trained on (checked to be the same checkpoint)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no trained ETAD here; train it with "
                         f"`python -m generator train etad --out {path.parent}`")
    state = checkpoint_load(path, "etad", retrain=f"{RETRAIN} --out {path.parent}")
    # A checkpoint written before ``audio_norm`` existed was trained without it.
    model = ETAD(ETADConfig(**{"audio_norm": False, **state["model_config"]}))
    model.load_state_dict(state["model"])
    model.eval()
    handle = hubert_load(state["hubert"])
    if handle.fingerprint != state["hubert_fingerprint"]:
        raise InputError(f"{path}: the HuBERT at {state['hubert']} has changed since ETAD was "
                         "trained on it; train ETAD again")
    return model, handle
