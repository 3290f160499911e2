"""python -m generator: make the avatar stimuli (docs/generator.md).

Subcommands:
  dataset build   synthesize the Table 2 corpus in 7 emotions for every character,
                  animate it, and write WAVs, rig tracks, metadata and the split
  render          render one clip from a character's rig CSV and an audio file
  stimuli task1   render the Task 1 set (392 GT clips), manifest.json, contact sheet
  stimuli import  a set from a lab's own clips and a FACTORS.csv (any format FFmpeg reads)
  demo            a small real set (7 characters x 7 emotions x one sentence)
  characters      list the characters and the controls of their rigs
  train, evaluate, animate, stimuli task2
                  the models (ETAD, the EVP-style baseline, adaptation):
                  generator/cli/models.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.common.errors import InputError
from generator.common.parallel import default_jobs
from generator.render.renderer import DEFAULT_SIZE
from generator.rig.controls import EMOTIONS


def _size(text: str) -> int:
    value = int(text)
    if not 32 <= value <= 2048 or value % 2:
        raise argparse.ArgumentTypeError(f"{value} is not an even size between 32 and 2048")
    return value


def _artist_timing(text: str):
    """``default``, ``none`` or a scale of the default's effects (docs/generator.md)."""
    from generator.rig.timing import DEFAULT_TIMING

    named = {"default": 1.0, "none": 0.0}
    try:
        scale = named[text] if text in named else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'default', 'none' or a scale "
                                         "like 0.5") from None
    if not 0 <= scale <= 4:
        raise argparse.ArgumentTypeError(f"an artist-timing scale of {scale} is outside 0..4")
    return DEFAULT_TIMING.scaled(scale)


def _dataset_build(args: argparse.Namespace) -> int:
    from generator.common.parallel import parallel_map
    from generator.rig.character import character_get, characters
    from generator.rig.controls import emotions_check
    from generator.speech.corpus import utterances
    from generator.speech.dataset import item_build_job, split_write

    chosen = [character_get(n) for n in args.characters] or list(characters().values())
    emotions_check(args.emotions)
    jobs = [(c.name, u, str(args.out), args.seed, args.artist_timing) for c in chosen
            for u in utterances()
            if not args.emotions or u.emotion in args.emotions]
    built = sum(parallel_map(item_build_job, jobs, workers=args.jobs, desc="dataset items"))
    split = split_write(Path(args.out), list(characters().values()), args.seed)
    print(f"{len(jobs)} items in {args.out} ({built} built, {len(jobs) - built} up to date); "
          f"split in {split}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from generator.render.clips import clip_render_files
    from generator.rig.character import character_get

    out = Path(args.out)
    if out.suffix.lower() != ".mp4":
        raise InputError(f"{out}: the clip must be an .mp4 file")
    poster = Path(args.poster) if args.poster else out.with_suffix(".png")
    seconds = clip_render_files(character_get(args.character), Path(args.rig), Path(args.audio),
                                out, poster=poster, size=args.size)
    print(f"wrote {out} ({seconds:.2f} s) and {poster}")
    return 0


def _stimuli_task1(args: argparse.Namespace) -> int:
    from generator.sets.task1 import Selection, task1_write

    selection = Selection(tuple(args.characters), tuple(args.emotions),
                          tuple(args.sentence_types), tuple(args.groups))
    manifest = task1_write(Path(args.out), name=args.name, selection=selection,
                           dataset=Path(args.dataset), size=args.size, workers=args.jobs,
                           seed=args.seed)
    print(f"wrote {manifest} and {Path(args.out) / 'contact_sheet.png'}")
    return 0


def _stimuli_import(args: argparse.Namespace) -> int:
    from generator.sets.imported import Options, import_write

    options = Options(fps=args.fps, size=args.size,
                      loudness=None if args.no_loudness else args.loudness)
    out = Path(args.out)
    manifest, summary = import_write(Path(args.clips), Path(args.factors), out, options=options,
                                     name=args.name or out.name, workers=args.jobs)
    print("\n".join(summary))
    print(f"wrote {manifest} and {out / 'contact_sheet.png'}")
    return 0


def _lufs(text: str) -> float:
    value = float(text)
    if not -70 <= value <= -5:
        raise argparse.ArgumentTypeError(f"{value} LUFS is not a loudness between -70 and -5")
    return value


def _fps(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 120:
        raise argparse.ArgumentTypeError(f"{value} is not a frame rate between 1 and 120")
    return value


def _demo(args: argparse.Namespace) -> int:
    from generator.sets.demo import demo_write

    manifest = demo_write(Path(args.out), dataset=Path(args.dataset), size=args.size,
                          workers=args.jobs)
    print(f"wrote {manifest}")
    return 0


def _characters(args: argparse.Namespace) -> int:
    from generator.rig.character import characters

    for character in characters().values():
        rig = character.rig
        primary = " (primary)" if character.primary else ""
        print(f"{character.name}{primary}: voice {character.voice.name}, "
              f"{len(rig.controls)} rig controls")
        if args.verbose:
            print("  " + ", ".join(rig.controls))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub, *, dataset: bool = True) -> None:
        sub.add_argument("--jobs", type=int, default=default_jobs(),
                         help="worker processes (default: every core, %(default)s)")
        sub.add_argument("--seed", type=int, default=0,
                         help="base seed of animation and split (default: %(default)s)")
        if dataset:
            sub.add_argument("--dataset", default="build/dataset",
                             help="dataset folder, built or updated as needed "
                                  "(default: %(default)s)")

    dataset = commands.add_parser("dataset", help="the synthetic ETAD dataset")
    dataset_commands = dataset.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = dataset_commands.add_parser(
        "build", help="write WAV, rig tracks, metadata and split for every "
                      "character x emotion x sentence (a no-op for unchanged inputs)")
    build.add_argument("--out", required=True, help="dataset folder")
    build.add_argument("--characters", nargs="*", default=[], metavar="NAME",
                       help="only these characters (default: all seven)")
    build.add_argument("--emotions", nargs="*", default=[], metavar="EMOTION",
                       help="only these emotions (default: all seven)")
    build.add_argument("--artist-timing", type=_artist_timing, default="default",
                       metavar="default|none|SCALE",
                       help="how the GT visemes are keyed against the audio: 'default' (a "
                            "per-line lead or lag, keys on whole frames, dropped and held "
                            "shapes, smoothing; docs/generator.md), 'none' (exactly on the "
                            "audio) or a scale of the default's effects, e.g. 0.5 "
                            "(default: default); the audio-aligned track is always kept beside")
    common(build, dataset=False)
    build.set_defaults(run=_dataset_build)

    render = commands.add_parser("render", help="render one clip (H.264/AAC MP4 + poster PNG)")
    render.add_argument("--character", required=True, help="display name, e.g. Mery")
    render.add_argument("--rig", required=True,
                        help="rig CSV with one column per control of the character's rig")
    render.add_argument("--audio", required=True, help="audio file (WAV or anything FFmpeg reads)")
    render.add_argument("--out", required=True, help="the clip, CLIP.mp4")
    render.add_argument("--poster", default="", help="poster PNG (default: CLIP.png)")
    render.add_argument("--size", type=_size, default=DEFAULT_SIZE,
                        help="frame width and height in pixels (default: %(default)s)")
    render.set_defaults(run=_render)

    stimuli = commands.add_parser("stimuli", help="stimulus sets for the study app")
    stimuli_commands = stimuli.add_subparsers(dest="task", required=True, metavar="TASK")
    task1 = stimuli_commands.add_parser(
        "task1", help="the Task 1 GT set of paper 5.1.3 with manifest.json and contact sheet")
    task1.add_argument("--out", required=True, help="set folder, e.g. stimuli/task1")
    task1.add_argument("--name", default="task1", help="the manifest's name (default: task1)")
    task1.add_argument("--characters", nargs="*", default=[], metavar="NAME",
                       help="only these characters (default: all seven)")
    task1.add_argument("--emotions", nargs="*", default=list(EMOTIONS), metavar="EMOTION",
                       help="only these emotions (default: all seven)")
    task1.add_argument("--sentence-types", nargs="*", default=["common", "emotion"],
                       metavar="TYPE", help="common and/or emotion (default: both)")
    task1.add_argument("--groups", nargs="*", type=int, default=[1, 2, 3, 4], metavar="N",
                       help="sentence groups 1-4 (default: all)")
    task1.add_argument("--size", type=_size, default=DEFAULT_SIZE,
                       help="frame size in pixels (default: %(default)s)")
    common(task1)
    task1.set_defaults(run=_stimuli_task1)

    own = stimuli_commands.add_parser(
        "import", help="a set from your own clips and a FACTORS.csv: every clip as H.264/AAC MP4 "
                       "at one frame rate, size and loudness, posters, manifest.json, contact sheet",
        description="Import a lab's own clips (any file FFmpeg reads) as a stimulus set. "
                    "FACTORS.csv: a 'file' column (path relative to --clips), one column per "
                    "factor, optional 'sentence', 'practice' (1 for practice clips) and 'id'. "
                    "Every problem is listed at once and nothing is written until all are fixed; "
                    "a second run redoes only clips whose source changed. The sources are only read.")
    own.add_argument("--clips", required=True, help="folder holding the source clips")
    own.add_argument("--factors", required=True, help="FACTORS.csv naming each clip's conditions")
    own.add_argument("--out", required=True, help="set folder, e.g. stimuli/own")
    own.add_argument("--name", default="", help="the manifest's name (default: the folder's)")
    own.add_argument("--loudness", type=_lufs, default=-23.0, metavar="LUFS",
                     help="integrated loudness every clip is brought to, EBU R128 "
                          "(default: %(default)s; true peak at most -1 dBTP)")
    own.add_argument("--no-loudness", action="store_true", help="keep each clip's sound as it is")
    own.add_argument("--fps", type=_fps, default=25, help="frame rate (default: %(default)s)")
    own.add_argument("--size", type=_size, default=DEFAULT_SIZE,
                     help="square frame size; pictures are letterboxed (default: %(default)s)")
    own.add_argument("--jobs", type=int, default=default_jobs(),
                     help="worker processes (default: every core, %(default)s)")
    own.set_defaults(run=_stimuli_import)

    demo = commands.add_parser("demo", help="write the small real set that `make demo` serves")
    demo.add_argument("--out", default="stimuli/demo", help="set folder (default: %(default)s)")
    demo.add_argument("--size", type=_size, default=DEFAULT_SIZE,
                      help="frame size in pixels (default: %(default)s)")
    common(demo)
    demo.set_defaults(run=_demo)

    listing = commands.add_parser("characters", help="list the characters and their rigs")
    listing.add_argument("--verbose", action="store_true", help="also list every rig control")
    listing.set_defaults(run=_characters)
    from generator.cli.models import models_register  # train, evaluate, animate, stimuli task2
    models_register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except (InputError, OSError) as err:  # bad input or an unwritable place: one line
        print(f"error: {err}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted; finished files are kept, partial ones removed", file=sys.stderr)
        return 130
    return 1

