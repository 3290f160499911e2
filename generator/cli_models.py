"""The model commands of ``python -m generator`` (docs/models.md).

  train hubert    pretrain the project's small HuBERT on the dataset's training speech
  train etad      train ETAD (paper section 4) on the primary character's 75 % split
  train evp       train the EVP-style baseline (audio -> landmarks -> rig retrieval)
  train adapt     train the per-face-part adaptation MLPs (paper 6.2)
  evaluate        Table 3 (F-RPD, M-RPD) and the lip-sync / recognisability proxies
  animate         animate any speech file with ETAD or the baseline
  stimuli task2   the Task 2 set: 6 characters x 7 emotions x GT / ETAD / EVP

``models_register(commands)`` adds them to the front door's subparsers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DATASET = "build/dataset"
RUNS = "runs"


def _hubert_wavs(dataset: Path) -> list:
    """The training speech of every character (no test sentence is heard)."""
    import json

    from generator.modeldata import Item, item_audio

    root = Path(dataset)
    split = root / "split.json"
    if not split.is_file():
        from generator.errors import InputError

        raise InputError(f"{root}: no dataset here (no split.json); build it with "
                         f"`python -m generator dataset build --out {root}`")
    wavs = []
    for identifier in json.loads(split.read_text())["train"]:
        slug, key = identifier.split("-", 1)
        item = Item(identifier, slug, key, key.split("-")[0], root)
        if item.base.with_suffix(".json").is_file():
            wavs.append(item_audio(item))
    return wavs


def _train_hubert(args: argparse.Namespace) -> int:
    from generator.hubert import PretrainConfig, hubert_pretrain

    cfg = PretrainConfig(steps=args.steps, seed=args.seed)
    out = hubert_pretrain(_hubert_wavs(Path(args.data)), Path(args.out), cfg)
    print(f"wrote the small HuBERT to {out} (report: {out / 'project_hubert.json'})")
    return 0


def models_register(commands) -> None:
    """Add train / evaluate / animate and ``stimuli task2`` to the front door."""
    train = commands.add_parser("train", help="train the models (HuBERT, ETAD, EVP, adaptation)")
    train_commands = train.add_subparsers(dest="model", required=True, metavar="MODEL")

    hubert = train_commands.add_parser(
        "hubert", help="pretrain the project's small HuBERT (masked prediction of MFCC k-means "
                       "clusters) on the dataset's training speech")
    hubert.add_argument("--data", default=DATASET, help="dataset folder (default: %(default)s)")
    hubert.add_argument("--out", default=f"{RUNS}/hubert",
                        help="checkpoint folder in Hugging Face format (default: %(default)s)")
    hubert.add_argument("--steps", type=int, default=600,
                        help="optimisation steps of batch 8 (default: %(default)s)")
    hubert.add_argument("--seed", type=int, default=0, help="seed of everything random "
                                                            "(default: %(default)s)")
    hubert.set_defaults(run=_train_hubert)
