"""Artist timing: visemes keyed to a recorded line the way an animator keys them.

The paper's GT rig tracks are made "frame by frame" by artists (section 3.2), and
its Soft-DTW loss is there "to tackle potential synchronization issues between
audio and ground-truth rig parameters ... amplified in 3D datasets due to
animator errors" (4.3). The synthetic animator (``rig/animator.py``) therefore
keys its visemes not at the phonemes' exact times but as an animator would:

- a per-item offset: the whole line's mouth shapes lead (negative) or trail
  (positive) the sound. Animators key the mouth a frame or two *ahead* of the
  sound (Williams, *The Animator's Survival Kit*, 2001), which is also the side
  on which viewers tolerate asynchrony (ITU-R BT.1359: detectable at about 45 ms
  of sound before picture but 125 ms of sound after it; van Wassenhove et al.
  2007: audio-visual integration over roughly -30..+170 ms, vision leading);
- per-phoneme jitter: each key lands on a whole frame (a key is a frame) after
  a small random error;
- dropped visemes: a phoneme shorter than ``drop_below_frames`` that is not a
  lip closure or a lip-teeth contact may be left out, its neighbour held over
  it (animators skip shapes that would only flash by, but always hit m/b/p and
  f/v: Osipa, *Stop Staring*, 2010);
- held visemes: now and then a shape is held a frame or two into the next
  sound, which then starts late;
- smoothing: the mouth's articulation (not the lip closure) is smoothed over
  ``smooth_frames``, which flattens fast sequences most (a hand-keyed curve
  interpolates between keys rather than hitting every short target).

The sizes are choices within what those sources report; docs/generator.md
lists each with its source or says "chosen". Everything random comes from the
generator the caller passes, so a track is reproducible from the item's seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from generator.rig.controls import FPS
from generator.rig.expressions import viseme_of

ALWAYS_KEYED = ("bilabial", "labiodental")  # the shapes an animator never drops (Osipa)


@dataclass(frozen=True)
class ArtistTiming:
    """How far the keyed visemes stray from the audio; all zero is the audio-aligned track."""

    offset_mean_frames: float = -1.5  # lead 1-2 frames (Williams); negative: mouth before sound
    offset_sd_frames: float = 1.5     # chosen: most lines within +-3 frames of the mean
    offset_max_frames: float = 4.0    # chosen: clipped at +-4 frames (160 ms)
    key_sd_frames: float = 0.5        # chosen: per-key error before rounding to a frame
    key_max_frames: float = 1.0       # chosen: clipped at +-1 frame
    on_frames: bool = True            # keys land on whole frames
    drop_below_frames: float = 1.0    # phonemes shorter than this may be dropped (chosen)
    drop_p: float = 0.5               # chosen: half of them are
    hold_p: float = 0.08              # chosen: a shape held into the next sound
    hold_frames: tuple[int, int] = (1, 2)  # chosen: for 1-2 frames
    smooth_frames: float = 0.6        # chosen: sd of the Gaussian over the articulation

    def scaled(self, scale: float) -> ArtistTiming:
        """Every effect times ``scale`` (0: none, the audio-aligned track; 1: this one)."""
        if scale < 0:
            raise ValueError(f"an artist-timing scale must be at least 0, not {scale}")
        return replace(self, offset_mean_frames=self.offset_mean_frames * scale,
                       offset_sd_frames=self.offset_sd_frames * scale,
                       offset_max_frames=self.offset_max_frames * max(scale, 1.0),
                       key_sd_frames=self.key_sd_frames * scale,
                       on_frames=self.on_frames and scale > 0,
                       drop_p=min(1.0, self.drop_p * scale),
                       hold_p=min(1.0, self.hold_p * scale),
                       smooth_frames=self.smooth_frames * scale)

    @property
    def is_none(self) -> bool:
        return self == NO_TIMING


DEFAULT_TIMING = ArtistTiming()
NO_TIMING = ArtistTiming(offset_mean_frames=0.0, offset_sd_frames=0.0, key_sd_frames=0.0,
                         on_frames=False, drop_p=0.0, hold_p=0.0, smooth_frames=0.0)


@dataclass(frozen=True)
class KeyReport:
    """What the artist did to one line: the offset and which phonemes were dropped or held."""

    offset_s: float
    dropped: tuple[int, ...]  # indices into the phoneme list
    held: tuple[tuple[int, int], ...]  # (index, frames) of shapes held into the next sound


def artist_keys(phonemes: list, timing: ArtistTiming, rng: np.random.Generator):
    """(keyed phonemes, KeyReport): the phonemes' times as an animator keys them.

    Pauses (``_``) keep their place in the list; a dropped phoneme is removed and
    the one before it extends over its time. With ``NO_TIMING`` the phonemes come
    back unchanged (and ``rng`` is still advanced the same way, so the rest of the
    animation does not depend on the timing chosen).
    """
    n, frame = len(phonemes), 1.0 / FPS
    offset_frames = float(np.clip(timing.offset_mean_frames + timing.offset_sd_frames
                                  * rng.standard_normal(), -timing.offset_max_frames,
                                  timing.offset_max_frames))
    keys_noise = np.clip(rng.standard_normal(n + 1) * timing.key_sd_frames,
                         -timing.key_max_frames, timing.key_max_frames)
    drop_draw, hold_draw = rng.random(n), rng.random(n)
    hold_len = rng.integers(timing.hold_frames[0], timing.hold_frames[1] + 1, n)
    if not phonemes or timing.is_none:
        return list(phonemes), KeyReport(0.0, (), ())
    bounds = np.array([p.start_s for p in phonemes] + [phonemes[-1].end_s])
    keys = bounds + (offset_frames + keys_noise) * frame
    if timing.on_frames:
        keys = np.round(keys * FPS) / FPS
    held = []
    for i in range(n - 1):
        if phonemes[i].symbol != "_" and hold_draw[i] < timing.hold_p:
            keys[i + 1] += hold_len[i] * frame
            held.append((i, int(hold_len[i])))
    # Keys in order; a lip closure or lip-teeth contact is held for at least one frame.
    for i, p in enumerate(phonemes):
        shortest = frame if viseme_of(p.symbol) in ALWAYS_KEYED else 0.0
        keys[i + 1] = max(keys[i + 1], keys[i] + shortest)
    keys[-1] = max(keys[-1], bounds[-1])  # the last shape is never cut short of the sound
    dropped = tuple(i for i, p in enumerate(phonemes)
                    if p.symbol != "_" and viseme_of(p.symbol) not in ALWAYS_KEYED
                    and p.end_s - p.start_s < timing.drop_below_frames * frame
                    and drop_draw[i] < timing.drop_p and i > 0)
    out = []
    for i, p in enumerate(phonemes):
        if i in dropped:
            out[-1] = type(p)(out[-1].symbol, out[-1].start_s, float(keys[i + 1]))
        else:
            out.append(type(p)(p.symbol, float(keys[i]), float(keys[i + 1])))
    return out, KeyReport(offset_frames * frame, dropped, tuple(held))


def smooth_articulation(visemes: np.ndarray, columns: list[int], timing: ArtistTiming) -> np.ndarray:
    """(T, C) viseme track with ``columns`` smoothed by a Gaussian of sd ``smooth_frames``."""
    if timing.smooth_frames <= 0:
        return visemes
    radius = max(1, int(np.ceil(3 * timing.smooth_frames)))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / timing.smooth_frames) ** 2)
    kernel /= kernel.sum()
    out = visemes.copy()
    padded = np.pad(visemes[:, columns], ((radius, radius), (0, 0)), mode="edge")
    for j, column in enumerate(columns):
        out[:, column] = np.convolve(padded[:, j], kernel, mode="valid")
    return out


def track_lag_frames(keyed: np.ndarray, aligned: np.ndarray, max_lag: int = 6) -> int:
    """The shift (frames) that best lines a keyed mouth signal up with the audio-aligned one.

    (T,) signals, e.g. ``jawOpen`` of the GT and of the aligned track; the lag
    maximises their Pearson r over shifts within +-``max_lag``; negative: the
    keyed mouth moves before the aligned one (the artist leads the sound).
    """
    best, best_r = 0, -np.inf
    n = len(keyed)
    for lag in range(-max_lag, max_lag + 1):
        a = keyed[max(0, lag):n + min(0, lag)]
        b = aligned[max(0, -lag):n + min(0, -lag)]
        r = np.corrcoef(a, b)[0, 1] if a.std() > 1e-9 and b.std() > 1e-9 else -np.inf
        if r > best_r:
            best, best_r = lag, r
    return best
