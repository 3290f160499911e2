"""HuBERT for ETAD's mouth branch (paper 4.2, "HuBERT Encoder"; Hsu et al. 2021).

Two ways to get one, both through ``transformers.HubertModel`` and a local folder
in Hugging Face format (``config.json`` + weights); nothing is ever downloaded
(``HF_HUB_OFFLINE=1``, ``local_files_only=True``):

- any pretrained HuBERT a user has on disk (e.g. ``facebook/hubert-base-ls960``
  saved with ``save_pretrained``), passed as ``--hubert PATH``;
- the project's own small HuBERT (:func:`small_config`), pretrained on the
  dataset's training speech with the first iteration of HuBERT's recipe
  (:func:`hubert_pretrain`): k-means clusters of MFCC frames are the targets,
  spans of the CNN features are replaced by a learned mask embedding, and the
  transformer predicts the cluster of every masked frame (cross-entropy on the
  masked frames only, cosine-similarity logits at temperature 0.1, as in the
  paper). It is tiny next to HuBERT-base (about 1 M parameters against 94 M,
  minutes of synthetic speech against 960 hours), so a real checkpoint should
  give the mouth decoder better phonetic features (docs/models.md).

HuBERT runs at 50 Hz (one frame per 320 samples at 16 kHz). :func:`hidden_states`
pads the audio so a clip of ``T`` video frames (25 fps) gives exactly ``2 T``
HuBERT frames, which the mouth decoder's strided convolution halves.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from generator.common.errors import InputError
from generator.models.checkpoint import checkpoint_load, checkpoint_resume, checkpoint_save
from generator.models.data import AUDIO_RATE, Item, item_audio

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HUBERT_HOP, RECEPTIVE = 320, 400  # samples at AUDIO_RATE
PROJECT_FILE = "project_hubert.json"  # written beside our own checkpoint
STATE_FILE = "pretrain_state.pt"      # pretraining's resumable state, beside it too


def small_config():
    """The project's own HuBERT: HuBERT-base's layout (7-layer CNN with 320x downsampling,
    a transformer with convolutional position embedding) scaled down to train on 2 CPU cores."""
    from transformers import HubertConfig

    return HubertConfig(
        hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=256,
        conv_dim=(64, 64, 64, 64, 64, 64, 64), num_conv_pos_embeddings=32,
        num_conv_pos_embedding_groups=8, hidden_dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, feat_proj_dropout=0.0, final_dropout=0.0, layerdrop=0.0,
        mask_time_prob=0.0)


@dataclass
class HubertHandle:
    """A loaded HuBERT and how its input must be prepared."""

    model: object
    path: str
    normalize: bool   # zero-mean, unit-variance input (the checkpoint's feature extractor)
    n_layers: int
    dim: int
    fingerprint: str  # what ETAD checks it was trained on (_fingerprint)


def hubert_load(path: str | Path) -> HubertHandle:
    """Load a HuBERT in Hugging Face format from a local folder (never from the network)."""
    from transformers import HubertModel

    path = Path(path)
    if not (path / "config.json").is_file():
        raise InputError(f"{path}: not a HuBERT checkpoint folder (no config.json); train one with "
                         "`python -m generator train hubert` or pass --hubert PATH")
    try:
        model = HubertModel.from_pretrained(str(path), local_files_only=True)
    except Exception as err:  # transformers raises many kinds for a broken folder
        raise InputError(f"{path}: the HuBERT checkpoint could not be loaded "
                         f"({type(err).__name__}: {str(err)[:200]})") from None
    model.eval()
    normalize = True
    preprocessor = path / "preprocessor_config.json"
    if preprocessor.is_file():
        normalize = bool(json.loads(preprocessor.read_text()).get("do_normalize", True))
    return HubertHandle(model, str(path), normalize, model.config.num_hidden_layers,
                        model.config.hidden_size, _fingerprint(model, normalize))


def _fingerprint(model, normalize: bool) -> str:
    """A digest of what the features depend on: every weight (name, dtype, shape,
    values) and the input normalisation. A copy of the folder, on this machine or
    another, has the same fingerprint; any changed weight gives another one
    (about 0.7 s for HuBERT-base's 94 M weights)."""
    digest = hashlib.sha256(f"normalize={normalize}".encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()[:16]


def _prepare(audio: np.ndarray, n_frames: int, normalize: bool) -> torch.Tensor:
    """Fit the audio to ``n_frames`` video frames and pad it for exactly 2 T HuBERT frames."""
    n = n_frames * 2 * HUBERT_HOP
    x = np.zeros(n, np.float32)
    x[:min(n, len(audio))] = audio[:n]
    if normalize:
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    edge = (RECEPTIVE - HUBERT_HOP) // 2
    return torch.from_numpy(np.pad(x, (edge, edge)))


@torch.no_grad()
def hidden_states(handle: HubertHandle, audio: np.ndarray, n_frames: int) -> torch.Tensor:
    """(S,) 16 kHz audio -> (N, 2 T, D): the N transformer layers' outputs at 50 Hz."""
    x = _prepare(audio, n_frames, handle.normalize)[None]
    out = handle.model(x, output_hidden_states=True)
    return torch.stack(out.hidden_states[1:], dim=0)[:, 0]


# --- pretraining, first iteration (Hsu et al. 2021, section III) --------------------------

@dataclass
class PretrainConfig:
    steps: int = 1500         # about 4 minutes on 2 CPU cores
    batch: int = 8
    crop_s: float = 2.0       # audio per example; 100 HuBERT frames
    clusters: int = 64        # k-means targets (HuBERT: 100 for MFCC on LibriSpeech)
    mask_prob: float = 0.08   # span starts per frame (HuBERT: p = 8 %, l = 10)
    mask_length: int = 10
    lr: float = 5e-4
    temperature: float = 0.1  # of the cosine-similarity logits
    seed: int = 0


def mfcc_targets(audio: np.ndarray) -> np.ndarray:
    """(F50, 36) MFCC + deltas + delta-deltas at HuBERT's frame centres (k-means input)."""
    from generator.models.mfcc import mfcc

    base = mfcc(audio).numpy()                                # (F100, 12), frame k at k * 10 ms
    delta = np.gradient(base, axis=0)
    feats = np.concatenate([base, delta, np.gradient(delta, axis=0)], axis=1)
    n = len(audio) // HUBERT_HOP
    return feats[np.minimum(2 * np.arange(n) + 1, len(feats) - 1)]  # HuBERT frame t ~ 20 t + 10 ms


def span_mask(n: int, length: int, prob: float, gen: torch.Generator, batch: int) -> torch.Tensor:
    """(B, n) bool: spans of ``length`` frames starting at each frame with probability ``prob``."""
    starts = torch.rand(batch, n, generator=gen) < prob
    starts[:, 0] |= ~starts.any(dim=1)  # at least one span per example
    mask = torch.zeros(batch, n + length, dtype=torch.bool)
    for offset in range(length):
        mask[:, offset:offset + n] |= starts
    return mask[:, :n]


class MaskedPrediction(torch.nn.Module):
    """HuBERT + the pretraining head: mask embedding, projection and cluster embeddings."""

    def __init__(self, model, clusters: int, proj: int = 64) -> None:
        super().__init__()
        self.hubert = model
        dim = model.config.hidden_size
        self.mask_embedding = torch.nn.Parameter(torch.randn(dim) * 0.1)
        self.final_proj = torch.nn.Linear(dim, proj)
        self.label_embeddings = torch.nn.Parameter(torch.randn(clusters, proj))

    def forward(self, audio: torch.Tensor, mask: torch.Tensor, temperature: float) -> torch.Tensor:
        h = self.hubert
        features = h.feature_extractor(audio).transpose(1, 2)      # (B, 2T, 64)
        hidden = h.feature_projection(features)
        hidden = hidden[0] if isinstance(hidden, tuple) else hidden  # (B, 2T, D)
        hidden = torch.where(mask[..., None], self.mask_embedding.to(hidden.dtype), hidden)
        encoded = h.encoder(hidden).last_hidden_state              # (B, 2T, D)
        z = torch.nn.functional.normalize(self.final_proj(encoded), dim=-1)
        e = torch.nn.functional.normalize(self.label_embeddings, dim=-1)
        return z @ e.T / temperature                               # (B, 2T, K) logits


def hubert_pretrain(wavs: list[np.ndarray], out: Path, cfg: PretrainConfig, *,
                    progress: bool = True) -> Path:
    """Pretrain the small HuBERT on ``wavs`` (16 kHz) and save it to ``out`` (HF format).

    Resumes from ``out/pretrain_state.pt`` when it exists for the same config.
    """
    from scipy.cluster.vq import kmeans2
    from tqdm import tqdm
    from transformers import HubertModel

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    crop = int(cfg.crop_s * AUDIO_RATE) // (2 * HUBERT_HOP) * 2 * HUBERT_HOP
    wavs = [np.pad(w, (0, max(0, crop - len(w)))).astype(np.float32) for w in wavs]
    targets_per_wav = [mfcc_targets(w) for w in wavs]
    frames = np.concatenate(targets_per_wav)
    mean, std = frames.mean(0), frames.std(0) + 1e-6
    sample = frames[rng.choice(len(frames), min(len(frames), 20000), replace=False)]
    centroids, _ = kmeans2((sample - mean) / std, cfg.clusters, iter=25, minit="++", seed=rng)
    labels = [torch.from_numpy(np.argmin(((((t - mean) / std)[:, None] - centroids[None]) ** 2)
                                         .sum(-1), axis=1)) for t in targets_per_wav]

    net = MaskedPrediction(HubertModel(small_config()), cfg.clusters)
    optimizer = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, cfg.lr, total_steps=cfg.steps,
                                                   pct_start=0.1)
    state_path, start = out / STATE_FILE, 0
    retrain = f"python -m generator train hubert --out {out}"
    state = checkpoint_resume(state_path, "hubert pretraining")
    if state is not None:
        if state["config"] == asdict(cfg):
            net.load_state_dict(state["net"])
            optimizer.load_state_dict(state["optimizer"])
            schedule.load_state_dict(state["schedule"])
            start = state["step"]
    n_out = crop // (2 * HUBERT_HOP) * 2 - 1  # HuBERT frames of an unpadded crop
    bar = tqdm(range(start, cfg.steps), desc="train hubert", initial=start, total=cfg.steps,
               disable=not progress, dynamic_ncols=True)
    net.train()
    for step in bar:
        gen = torch.Generator().manual_seed(cfg.seed * 100_003 + step)
        picks = torch.randint(len(wavs), (cfg.batch,), generator=gen).tolist()
        audio, target = [], []
        for k in picks:
            starts = (len(wavs[k]) - crop) // HUBERT_HOP  # in HuBERT frames
            first = int(torch.randint(starts + 1, (1,), generator=gen))
            a = wavs[k][first * HUBERT_HOP:first * HUBERT_HOP + crop]
            audio.append(torch.from_numpy((a - a.mean()) / np.sqrt(a.var() + 1e-7)))
            target.append(labels[k][first:first + n_out])
        audio, target = torch.stack(audio), torch.stack(target)        # (B, S), (B, F)
        mask = span_mask(n_out, cfg.mask_length, cfg.mask_prob, gen, cfg.batch)
        logits = net(audio, mask, cfg.temperature)[:, :n_out]
        loss = torch.nn.functional.cross_entropy(logits[mask], target[mask])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        optimizer.step()
        schedule.step()
        with torch.no_grad():
            accuracy = (logits[mask].argmax(-1) == target[mask]).float().mean().item()
        bar.set_postfix(loss=f"{loss.item():.3f}", masked_acc=f"{accuracy:.3f}")
        if (step + 1) % 250 == 0 or step + 1 == cfg.steps:
            checkpoint_save(state_path, "hubert pretraining", {
                "config": asdict(cfg), "net": net.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "step": step + 1, "loss": loss.item(),
                "accuracy": accuracy})
    net.hubert.save_pretrained(str(out))
    (out / "preprocessor_config.json").write_text(json.dumps({"do_normalize": True,
                                                              "sampling_rate": AUDIO_RATE}))
    final = (checkpoint_load(state_path, "hubert pretraining", retrain=retrain)
             if state_path.is_file() else {})
    (out / PROJECT_FILE).write_text(json.dumps({
        "recipe": "HuBERT iteration 1: masked prediction of k-means(MFCC+deltas) clusters",
        "config": asdict(cfg), "utterances": len(wavs),
        "hours": round(sum(len(w) for w in wavs) / AUDIO_RATE / 3600, 3),
        "final_loss": final.get("loss"), "final_masked_accuracy": final.get("accuracy"),
        "chance_accuracy": 1.0 / cfg.clusters}, indent=2))
    return out


def training_speech(dataset: str | Path) -> list[np.ndarray]:
    """The training speech of every character of ``dataset`` (no test sentence is heard)."""
    root = Path(dataset)
    split = root / "split.json"
    if not split.is_file():
        raise InputError(f"{root}: no dataset here (no split.json); build it with "
                         f"`python -m generator dataset build --out {root}`")
    wavs = []
    for identifier in json.loads(split.read_text())["train"]:
        slug, key = identifier.split("-", 1)
        item = Item(identifier, slug, key, key.split("-")[0], root)
        if item.base.with_suffix(".json").is_file():
            wavs.append(item_audio(item))
    return wavs


def hubert_ensure(folder: str | Path, dataset: str | Path) -> Path:
    """``folder`` as a HuBERT checkpoint, the project's small HuBERT pretrained there
    first (on ``dataset``'s training speech) when it holds none yet.

    Decided by what the folder holds, whatever it is called: a checkpoint
    (config.json) is used as it is; a missing or empty folder, or one with only an
    interrupted pretraining's state, gets the small HuBERT; any other folder is
    refused rather than trained into, since it is someone's files, not ours.
    """
    folder = Path(folder)
    if (folder / "config.json").is_file():
        return folder
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: a file, not a HuBERT checkpoint folder")
    held = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    others = [name for name in held if name != STATE_FILE]
    if others:
        raise InputError(f"{folder}: not a HuBERT checkpoint folder (no config.json; it holds "
                         f"{', '.join(others[:3])}); pass a HuBERT checkpoint, or a new or "
                         "empty folder to pretrain the project's small HuBERT in")
    print(f"no HuBERT at {folder}: pretraining the project's small HuBERT there first")
    return hubert_pretrain(training_speech(dataset), folder, PretrainConfig())
