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
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from generator.common.errors import InputError
from generator.models.data import FACE, Item, emotion_index, item_audio, item_track, split_items
from generator.models.etad import ETAD, ETADConfig, etad_loss
from generator.models.hubert import HubertHandle, hidden_states, hubert_load
from generator.models.mfcc import mfcc_windows

PRIMARY = "mery"
CHECKPOINT_EVERY = 100
FPS = 25


def clip_features(handle: HubertHandle, audio: np.ndarray, n_frames: int | None = None):
    """(N, 2T, D) HuBERT layers and (T, 28, 12) MFCC windows of one clip at 25 fps."""
    if n_frames is None:
        n_frames = math.ceil(len(audio) * FPS / 16000)
    return hidden_states(handle, audio, n_frames), mfcc_windows(audio, n_frames)


def dataset_features(handle: HubertHandle, items: list[Item], cache_dir: Path) -> list[dict]:
    """Per item: HuBERT layers, MFCC windows, face target (T, 43) and emotion; cached."""
    from tqdm import tqdm

    key = hashlib.sha256(json.dumps([handle.fingerprint] + [i.meta["inputs_sha"] for i in items])
                         .encode()).hexdigest()[:20]
    path = Path(cache_dir) / f"features-{key}.pt"
    if path.is_file():
        return torch.load(path, weights_only=False)
    out = []
    for item in tqdm(items, desc="HuBERT + MFCC features", dynamic_ncols=True):
        track = item_track(item)
        h, w = clip_features(handle, item_audio(item), len(track))
        out.append({"id": item.id, "hubert": h.half(), "windows": w,
                    "face": torch.from_numpy(track[:, FACE]), "emotion": emotion_index(item.emotion)})
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(out, path)
    return out


def _batch(features: list[dict], cfg: ETADConfig, step: int):
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


def etad_train(*, data: Path, out: Path, hubert: Path, cfg: ETADConfig,
               progress: bool = True) -> Path:
    """Train (or resume) ETAD; write ``OUT/etad.pt`` and ``OUT/metrics.json``."""
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    handle = hubert_load(hubert)
    if cfg.crop < 8 or cfg.batch < 1 or cfg.steps < 1:
        raise InputError("crop must be at least 8 frames, batch and steps at least 1")
    cfg.hubert_layers, cfg.hubert_dim = handle.n_layers, handle.dim
    cache = out.parent / "cache"
    train_items = split_items(data, PRIMARY, "train")
    train = dataset_features(handle, train_items, cache)
    test = dataset_features(handle, split_items(data, PRIMARY, "test"), cache)
    # What the run learns from besides its config: resuming on other inputs would mix two runs.
    inputs = {"hubert_fingerprint": handle.fingerprint,
              "train_items": [i.meta["inputs_sha"] for i in train_items]}

    torch.manual_seed(cfg.seed)
    model = ETAD(cfg)
    windows = torch.cat([f["windows"].reshape(-1, 12) for f in train])
    model.mfcc_mean.copy_(windows.mean(0))
    model.mfcc_std.copy_(windows.std(0) + 1e-5)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, cfg.lr, total_steps=cfg.steps,
                                                   pct_start=0.05)
    ckpt_path, start, history, wall = out / "checkpoint.pt", 0, [], 0.0
    if ckpt_path.is_file():
        state = _checkpoint_read(ckpt_path)
        if state["config"] == asdict(cfg) and state.get("inputs") == inputs:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            schedule.load_state_dict(state["schedule"])
            start, history, wall = state["step"], state["history"], state.get("wall_s", 0.0)
            torch.set_rng_state(state["torch_rng"])  # dropout continues as if never stopped
            print(f"resuming {ckpt_path} at step {start}")
        else:
            print(f"{ckpt_path} was trained with another config, HuBERT or training set: "
                  "starting again")

    began = time.perf_counter() - wall

    def save(step: int) -> None:
        _atomic_save({"wall_s": time.perf_counter() - began,
                      "config": asdict(cfg), "inputs": inputs, "model": model.state_dict(),
                      "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(),
                      "step": step, "history": history, "torch_rng": torch.get_rng_state()},
                     ckpt_path)

    model.train()
    bar = tqdm(range(start, cfg.steps), desc=f"train etad ({out.name})", initial=start,
               total=cfg.steps, disable=not progress, dynamic_ncols=True)
    for step in bar:
        hub, win, face, emo = _batch(train, cfg, step)
        terms = etad_loss(model(hub, win, emo), face, cfg)
        optimizer.zero_grad()
        terms["total"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        bar.set_postfix({k: f"{v.item():.4f}" for k, v in terms.items()})
        if (step + 1) % CHECKPOINT_EVERY == 0 or step + 1 == cfg.steps:
            history.append({"step": step + 1, **{k: round(v.item(), 6) for k, v in terms.items()}})
            save(step + 1)
    final = {"config": asdict(cfg), "model": model.state_dict(), "hubert": str(hubert),
             "hubert_fingerprint": handle.fingerprint, "step": cfg.steps}
    _atomic_save(final, out / "etad.pt")
    metrics = {"train": _validate(model, train), "test": _validate(model, test),
               "train_wall_s": round(time.perf_counter() - began, 1),
               "threads": torch.get_num_threads(), "history": history}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return out / "etad.pt"


def _atomic_save(obj, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(obj, tmp)
    tmp.replace(path)


def _checkpoint_read(path: Path) -> dict:
    try:
        return torch.load(path, weights_only=False)
    except Exception as err:  # a truncated or foreign file
        raise InputError(f"{path}: not a readable checkpoint ({type(err).__name__}); delete it "
                         "to start again") from None


def etad_load(path: Path) -> tuple[ETAD, HubertHandle]:
    """A trained ETAD and the HuBERT it was trained on (checked to be the same checkpoint)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no trained ETAD here; train it with "
                         f"`python -m generator train etad --out {path.parent}`")
    state = _checkpoint_read(path)
    if "config" not in state or "model" not in state:
        raise InputError(f"{path}: not an ETAD checkpoint")
    model = ETAD(ETADConfig(**state["config"]))
    model.load_state_dict(state["model"])
    model.eval()
    if "hubert_fingerprint" not in state:
        raise InputError(f"{path}: trained by an earlier version that did not record which "
                         "HuBERT it used; train ETAD again")
    handle = hubert_load(state["hubert"])
    if handle.fingerprint != state["hubert_fingerprint"]:
        raise InputError(f"{path}: the HuBERT at {state['hubert']} has changed since ETAD was "
                         "trained on it; train ETAD again")
    return model, handle
