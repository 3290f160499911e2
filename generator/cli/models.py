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

from contract import PRIMARY_CHARACTER

DATASET = "build/dataset"
RUNS = "runs"
ETAD_STEPS = 5000


def _train_hubert(args: argparse.Namespace) -> int:
    from generator.models.hubert import PretrainConfig, hubert_pretrain, training_speech

    cfg = PretrainConfig(steps=args.steps, seed=args.seed)
    out = hubert_pretrain(training_speech(args.data), Path(args.out), cfg)
    print(f"wrote the small HuBERT to {out} (report: {out / 'project_hubert.json'})")
    return 0


def _train_etad(args: argparse.Namespace) -> int:
    import torch

    from generator.models.etad import ETADConfig, LossConfig
    from generator.models.etad_train import TrainConfig, etad_train
    from generator.models.hubert import hubert_ensure

    torch.set_num_threads(args.threads)
    path = etad_train(data=Path(args.data), out=Path(args.out),
                      hubert=hubert_ensure(args.hubert, args.data),
                      model_cfg=ETADConfig(use_emotion=not args.no_emotion),
                      train_cfg=TrainConfig(steps=args.steps, seed=args.seed,
                                            loss=LossConfig(use_softdtw=not args.no_softdtw)))
    print(f"wrote {path}; held-out F-RPD / M-RPD in {path.parent / 'metrics.json'}")
    return 0


def _train_evp(args: argparse.Namespace) -> int:
    import torch

    from generator.models.evp import EVPConfig, evp_train

    torch.set_num_threads(args.threads)
    path = evp_train(data=Path(args.data), out=Path(args.out),
                     cfg=EVPConfig(steps=args.steps, seed=args.seed))
    print(f"wrote {path}")
    return 0


def _train_adapt(args: argparse.Namespace) -> int:
    import torch

    from generator.models.adapt import AdaptConfig, adapt_train

    torch.set_num_threads(args.threads)
    path, errors = adapt_train(out=Path(args.out), cfg=AdaptConfig(steps=args.steps, seed=args.seed))
    print(f"wrote {path}; held-out RMSE per part (rig units):")
    for name, parts in errors.items():
        print(f"  {name:8s} " + "  ".join(f"{p} {v:.4f}" for p, v in parts.items()))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import json

    import torch

    from generator.models.evaluate import table3_print, table3_run
    from generator.models.registry import Methods

    if not args.table3:
        from generator.common.errors import InputError

        raise InputError("say what to evaluate: --table3")
    torch.set_num_threads(args.threads)
    if args.seeds:
        from generator.models.table3_seeds import table3_seeds_print, table3_seeds_run

        results = table3_seeds_run(Path(args.runs), Path(args.data), args.seeds,
                                   train_missing=True)
        print(table3_seeds_print(results))
        target = Path(args.json or Path(args.runs) / "table3.json")
    else:
        methods = Methods(Path(args.runs), Path(args.data), train_missing=args.train_missing)
        results = table3_run(methods, Path(args.data), seed=args.seed)
        print(table3_print(results))
        target = Path(args.json) if args.json else None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results, indent=2))
        print(f"wrote {target}")
    return 0


def _animate(args: argparse.Namespace) -> int:
    import torch

    from generator.models.animate import animate_file
    from generator.models.registry import Methods

    torch.set_num_threads(args.threads)
    methods = Methods(Path(args.runs), Path(args.data), train_missing=args.train_missing)
    seconds = animate_file(methods, audio_path=Path(args.audio), emotion=args.emotion,
                           character=args.character, method=args.method, out=Path(args.out),
                           rig_out=Path(args.rig_out) if args.rig_out else None, size=args.size)
    extra = f" and {args.rig_out}" if args.rig_out else ""
    print(f"wrote {args.out} ({seconds:.2f} s){extra}")
    return 0


def _stimuli_task2(args: argparse.Namespace) -> int:
    import torch

    from generator.models.registry import Methods
    from generator.sets.task2 import task2_write

    torch.set_num_threads(1)
    methods = Methods(Path(args.runs), Path(args.dataset), train_missing=True)
    manifest = task2_write(Path(args.out), methods=methods, dataset=Path(args.dataset),
                           size=args.size, workers=args.jobs, seed=args.seed)
    print(f"wrote {manifest} and {Path(args.out) / 'contact_sheet.png'}")
    return 0


def _subparsers(parser: argparse.ArgumentParser):
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


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

    etad = train_commands.add_parser(
        "etad", help="train ETAD (paper section 4) on the primary character's 75 %% split")
    etad.add_argument("--data", default=DATASET, help="dataset folder (default: %(default)s)")
    etad.add_argument("--out", default=f"{RUNS}/etad",
                      help="run folder: checkpoint.pt (resumed), etad.pt, metrics.json "
                           "(default: %(default)s)")
    etad.add_argument("--hubert", default=f"{RUNS}/hubert",
                      help="HuBERT checkpoint folder in Hugging Face format; when the folder "
                           "is missing or empty, the project's small HuBERT is pretrained there "
                           "first (default: %(default)s)")
    etad.add_argument("--no-softdtw", action="store_true",
                      help="Table 3's 'w/o Soft-DTW' ablation: L2 and continuity only")
    etad.add_argument("--no-emotion", action="store_true",
                      help="Table 3's 'w/o Emo Encoder' ablation: no emotion label input")
    etad.add_argument("--steps", type=int, default=ETAD_STEPS,
                      help="optimisation steps of batch 8 (default: %(default)s)")
    etad.add_argument("--seed", type=int, default=0, help="seed of initialisation and batches "
                                                          "(default: %(default)s)")
    etad.add_argument("--threads", type=int, default=1,
                      help="torch CPU threads; the model's ops are small, so one thread is "
                           "fastest on a shared machine (default: %(default)s)")
    etad.set_defaults(run=_train_etad)

    evp = train_commands.add_parser(
        "evp", help="train the EVP-style baseline's landmark regressor on the Human's speech")
    evp.add_argument("--data", default=DATASET, help="dataset folder (default: %(default)s)")
    evp.add_argument("--out", default=f"{RUNS}/evp", help="run folder (default: %(default)s)")
    evp.add_argument("--steps", type=int, default=800,
                     help="optimisation steps of batch 8 (default: %(default)s)")
    evp.add_argument("--seed", type=int, default=0,
                     help="seed of training and of the expression database (default: %(default)s)")
    evp.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1)")
    evp.set_defaults(run=_train_evp)

    adapt = train_commands.add_parser(
        "adapt", help="train the per-face-part MLPs that map the primary's rig to each "
                      "secondary character's rig (paper 6.2)")
    adapt.add_argument("--out", default=f"{RUNS}/adapt", help="run folder (default: %(default)s)")
    adapt.add_argument("--steps", type=int, default=1500,
                       help="Adam steps per MLP (default: %(default)s)")
    adapt.add_argument("--seed", type=int, default=0, help="seed of poses and training "
                                                           "(default: %(default)s)")
    adapt.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1)")
    adapt.set_defaults(run=_train_adapt)

    evaluate = commands.add_parser(
        "evaluate", help="Table 3 (F-RPD, M-RPD) and lip-sync / recognisability proxies on the "
                         "held-out 25 %%")
    evaluate.add_argument("--table3", action="store_true",
                          help="EVP-style, w/o Soft-DTW, w/o Emo Encoder and Ours beside the "
                               "paper's numbers")
    evaluate.add_argument("--json", default="",
                          help="also write every number to this JSON file (with --seeds: "
                               "default RUNS/table3.json)")
    evaluate.add_argument("--seeds", nargs="+", type=int, default=[], metavar="S",
                          help="Table 3 over these training seeds, e.g. 0 1 2 3 4: trains what "
                               "is missing into RUNS/seed-S/ (sharing RUNS/hubert) and reports "
                               "means, 95 %% t-intervals and the paired differences Ours - "
                               "ablation, also against the audio-aligned track")
    evaluate.add_argument("--data", default=DATASET, help="dataset folder (default: %(default)s)")
    evaluate.add_argument("--runs", default=RUNS,
                          help="folder of the trained models (default: %(default)s)")
    evaluate.add_argument("--train-missing", action="store_true",
                          help="train any missing model first instead of stopping")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="seed of the GT expression classifier (default: %(default)s)")
    evaluate.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1)")
    evaluate.set_defaults(run=_evaluate)

    from generator.common.parallel import default_jobs
    from generator.render.renderer import DEFAULT_SIZE

    animate = commands.add_parser(
        "animate", help="animate any speech file with ETAD or the EVP-style baseline")
    animate.add_argument("--audio", required=True,
                         help="speech file (WAV or anything FFmpeg reads; resampled to 16 kHz)")
    animate.add_argument("--emotion", required=True,
                         help="anger, disgust, fear, joy, neutral, sadness or surprise")
    animate.add_argument("--character", default=PRIMARY_CHARACTER,
                         help="display name or slug; not the primary: adapted "
                              "(default: %(default)s)")
    animate.add_argument("--method", choices=("etad", "evp"), default="etad",
                         help="ETAD (default) or the EVP-style baseline")
    animate.add_argument("--out", required=True, help="the clip, CLIP.mp4 (poster CLIP.png)")
    animate.add_argument("--rig-out", default="",
                         help="also write the rig track as CSV, one column per control of the "
                              "character's rig (ARKit names, for Unity / Live Link)")
    animate.add_argument("--size", type=int, default=DEFAULT_SIZE,
                         help="frame size in pixels (default: %(default)s)")
    animate.add_argument("--runs", default=RUNS, help="trained models (default: %(default)s)")
    animate.add_argument("--data", default=DATASET,
                         help="dataset, used only to train a missing model (default: %(default)s)")
    animate.add_argument("--train-missing", action="store_true",
                         help="train a missing model first instead of stopping")
    animate.add_argument("--threads", type=int, default=1, help="torch CPU threads (default: 1)")
    animate.set_defaults(run=_animate)

    stimuli = _subparsers(commands.choices["stimuli"])
    task2 = stimuli.add_parser(
        "task2", help="the Task 2 set of paper 5.1.3: 6 characters x 7 emotions x GT / ETAD / EVP "
                      "on held-out sentences, manifest.json and contact sheet (trains missing "
                      "models first)")
    task2.add_argument("--out", required=True, help="set folder, e.g. stimuli/task2")
    task2.add_argument("--dataset", default=DATASET, help="dataset folder (default: %(default)s)")
    task2.add_argument("--runs", default=RUNS, help="trained models (default: %(default)s)")
    task2.add_argument("--size", type=int, default=DEFAULT_SIZE,
                       help="frame size in pixels (default: %(default)s)")
    task2.add_argument("--jobs", type=int, default=default_jobs(),
                       help="render processes (default: every core, %(default)s)")
    task2.add_argument("--seed", type=int, default=0,
                       help="base seed of the dataset items (default: %(default)s)")
    task2.set_defaults(run=_stimuli_task2)
