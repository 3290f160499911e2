"""Multiple Character Adaptation (paper 6.2): one MLP per face part.

The face is split into five parts (brow, eye, mouth, cheek, nose). For every
secondary character and part, an MLP maps the primary character's rig values
of that part to the secondary character's rig values of that part. Training
pairs are the same canonical pose put through both rigs
(``CharacterRig.from_canonical``), for poses sampled over the rig space
(``poses.py``); a held-out set of poses measures the error per part. Head pose
is not a face part: it is carried over through the rigs directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from generator.common.errors import InputError
from generator.models.checkpoint import checkpoint_load, checkpoint_save
from generator.rig.character import Character, character_get, characters, primary_character
from generator.rig.controls import CONTROLS, FACE_PARTS, PART
from generator.rig.poses import poses_sample


@dataclass
class AdaptConfig:
    hidden: int = 64
    train_poses: int = 20000
    test_poses: int = 2000
    steps: int = 1500   # Adam steps per MLP
    batch: int = 512
    lr: float = 3e-3
    seed: int = 0


def part_controls(character: Character, part: str) -> list[int]:
    """Columns of the character's rig controls that belong to ``part``."""
    return [k for k, src in enumerate(character.rig.sources) if PART[CONTROLS[src[0]]] == part]


class PartMLP(nn.Module):
    """Primary rig values of one part -> secondary rig values of that part (in [0, 1])."""

    def __init__(self, n_in: int, n_out: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.Tanh(), nn.Linear(hidden, hidden),
                                 nn.Tanh(), nn.Linear(hidden, n_out), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)                                   # (F, n_in) -> (F, n_out)


def _pairs(primary: Character, target: Character, n: int, seed: int):
    canonical = poses_sample(n, np.random.default_rng(seed))
    return primary.rig.from_canonical(canonical), target.rig.from_canonical(canonical)


def adapt_train(*, out: Path, cfg: AdaptConfig, progress: bool = True) -> tuple[Path, dict]:
    """Train every (secondary character, part) MLP; write ``OUT/adapt.pt``; return errors."""
    from tqdm import tqdm

    primary = primary_character()
    targets = [c for c in characters().values() if not c.primary and c.slug != "human"]
    torch.manual_seed(cfg.seed)
    states, errors = {}, {}
    jobs = [(t, part) for t in targets for part in FACE_PARTS]
    bar = tqdm(jobs, desc="train adapt", disable=not progress, dynamic_ncols=True)
    for target, part in bar:
        x, y = _pairs(primary, target, cfg.train_poses, cfg.seed)
        xt, yt = _pairs(primary, target, cfg.test_poses, cfg.seed + 1)
        cin, cout = part_controls(primary, part), part_controls(target, part)
        mlp = PartMLP(len(cin), len(cout), cfg.hidden)
        optimizer = torch.optim.Adam(mlp.parameters(), lr=cfg.lr)
        xs, ys = torch.from_numpy(x[:, cin]), torch.from_numpy(y[:, cout])
        gen = torch.Generator().manual_seed(cfg.seed)
        for _ in range(cfg.steps):
            pick = torch.randint(len(xs), (cfg.batch,), generator=gen)
            loss = ((mlp(xs[pick]) - ys[pick]) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            pred = mlp(torch.from_numpy(xt[:, cin])).numpy()
        rmse = float(np.sqrt(((pred - yt[:, cout]) ** 2).mean()))
        errors.setdefault(target.name, {})[part] = round(rmse, 5)
        states[f"{target.slug}/{part}"] = mlp.state_dict()
        bar.set_postfix(character=target.name, part=part, rmse=f"{rmse:.4f}")
    path = checkpoint_save(Path(out) / "adapt.pt", "adapt",
                           {"config": asdict(cfg), "mlps": states, "held_out_rmse": errors})
    return path, errors


class Adapter:
    """Trained MLPs: a (T, C) track of the primary's rig -> (T, K) of any secondary rig."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        retrain = f"python -m generator train adapt --out {path.parent}"
        if not path.is_file():
            raise InputError(f"{path}: no trained adaptation MLPs here; train them with "
                             f"`{retrain}`")
        state = checkpoint_load(path, "adapt", retrain=retrain)
        self.cfg = AdaptConfig(**state["config"])
        self.states, self.errors = state["mlps"], state["held_out_rmse"]
        self.primary = primary_character()

    @torch.no_grad()
    def adapt(self, primary_values: np.ndarray, target_name: str) -> np.ndarray:
        """(T, K_primary) primary rig values -> (T, K_target) the target's rig values."""
        target = character_get(target_name)
        if target.primary:
            return primary_values.astype(np.float32)
        out = target.rig.from_canonical(self.primary.rig.to_canonical(primary_values))  # head
        for part in FACE_PARTS:
            key = f"{target.slug}/{part}"
            if key not in self.states:
                raise InputError(f"no adaptation MLP for {target.name}; train adapt again")
            cin, cout = part_controls(self.primary, part), part_controls(target, part)
            mlp = PartMLP(len(cin), len(cout), self.cfg.hidden)
            mlp.load_state_dict(self.states[key])
            out[:, cout] = mlp(torch.from_numpy(primary_values[:, cin].astype(np.float32))).numpy()
        return out
