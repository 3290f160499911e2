"""ETAD, the paper's method (section 4, Fig. 3): speech + emotion label -> rig parameters.

Five pieces, named as in section 4.2:

- HuBERT encoder E_h (``models/hubert.py``, frozen) and the learnable
  weighted sum of its N hidden layers, Eq. 1 (:class:`LayerWeightedSum`);
- mouth decoder D_m: 2 Conv1d (50 -> 25 Hz) + 2-layer BiLSTM -> the 19 mouth
  controls (:class:`MouthDecoder`);
- audio encoder E_a: CNN + MLP over the 28 x 12 MFCC window of every video
  frame (``models/mfcc.py``) (:class:`AudioEncoder`);
- emotion encoder E_e: one-hot -> 2 FC + LeakyReLU, repeated over time
  (:class:`EmotionEncoder`);
- emotion decoder D_e: 3-layer LSTM with 60 units + FC -> all 43 face
  controls (:class:`EmotionDecoder`).

Fusion F (Eq. 4): the emotion branch predicts every face control, the mouth
branch the mouth controls; the mouth of the result is their sum,
``y_mouth = y_m + y_e,mouth``, the rest is ``y_e``. This mirrors how a face is
built (an expression held over the sentence, plus the visemes of speech on the
mouth): the emotion branch carries the expression's share of the mouth (a
smile, a sneer), the mouth branch the articulation.

Loss (Eq. 5, :func:`etad_loss`): L2 + Soft-DTW + lambda * inter-frame continuity,
with the Soft-DTW term on the mouth controls. The paper uses it "to tackle potential
synchronization issues between audio and ground-truth rig parameters" (4.3), i.e.
lip sync; the rest of the face (blinks, gaze, nods) is not timed by the audio, and a
warping loss over it rewards guessing such events anywhere (docs/models.md has the
measurements). The "w/o Soft-DTW" ablation of Table 3 *replaces* the Soft-DTW loss
with MSE loss (paper 5.2), here MSE on the same mouth controls: the same weight on
matching the GT, only without the tolerance for misaligned timing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from generator.models.data import MOUTH_IN_FACE
from generator.models.softdtw import soft_dtw


@dataclass(frozen=True)
class ETADConfig:
    """The network and nothing else (training settings: ``etad_train.TrainConfig``); saved in
    every checkpoint, so a checkpoint rebuilds its own network."""

    hubert_layers: int = 4       # N of Eq. 1 (training sets it from the HuBERT checkpoint)
    hubert_dim: int = 128        # its hidden size (likewise)
    n_face: int = 43             # face controls of the canonical rig (head pose excluded)
    n_emotions: int = 7
    mouth_channels: int = 128    # D_m's convolutions
    mouth_hidden: int = 64       # D_m's BiLSTM, per direction
    audio_dim: int = 128         # E_a's output
    emotion_dim: int = 32        # E_e's output
    emo_hidden: int = 60         # D_e: "three layers with 60 nodes" (paper 4.2)
    emo_layers: int = 3
    use_emotion: bool = True     # False: the "w/o Emo Encoder" ablation of Table 3
    audio_norm: bool = True      # E_a's output layer-normalised (docs/models.md: without it
    #                              D_e's LSTM never learns from the audio; False: as before)
    dropout: float = 0.2         # on D_m's input and between LSTM layers: 42 clips overfit fast


@dataclass(frozen=True)
class LossConfig:
    """The terms of Eq. 5 and their weights."""

    use_softdtw: bool = True     # False: "w/o Soft-DTW", the mouth's DTW term replaced by MSE
    softdtw_gamma: float = 0.01  # small: close to hard DTW, still smooth
    softdtw_weight: float = 1.0  # Eq. 5 weighs L2 and DTW equally
    continuity: float = 0.1      # lambda_1 of Eq. 5; GT moves, so keep it small


class LayerWeightedSum(nn.Module):
    """Eq. 1: f_h = sum_i alpha_i h_i with sum_i alpha_i = 1 (softmax of learned logits)."""

    def __init__(self, n_layers: int) -> None:
        super().__init__()
        self.logits = nn.Parameter(torch.zeros(n_layers))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        alpha = torch.softmax(self.logits, dim=0)             # (N,)
        return torch.einsum("n,bntd->btd", alpha, h)          # (B, N, 2T, D) -> (B, 2T, D)


class MouthDecoder(nn.Module):
    """D_m (4.2): 2 Conv1d, the first strided 50 -> 25 Hz, then a 2-layer BiLSTM."""

    def __init__(self, cfg: ETADConfig, n_mouth: int) -> None:
        super().__init__()
        c = cfg.mouth_channels
        self.conv = nn.Sequential(
            nn.Conv1d(cfg.hubert_dim, c, kernel_size=3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(c, c, kernel_size=3, padding=1), nn.LeakyReLU(0.2))
        self.dropout = nn.Dropout(cfg.dropout)
        self.lstm = nn.LSTM(c, cfg.mouth_hidden, num_layers=2, batch_first=True,
                            bidirectional=True, dropout=cfg.dropout)
        self.out = nn.Linear(2 * cfg.mouth_hidden, n_mouth)

    def forward(self, f_h: torch.Tensor) -> torch.Tensor:
        x = self.conv(self.dropout(f_h).transpose(1, 2)).transpose(1, 2)  # (B, 2T, D) -> (B, T, C)
        x, _ = self.lstm(self.dropout(x))                                  # (B, T, 2H)
        return self.out(x)                                    # (B, T, 19)


class AudioEncoder(nn.Module):
    """E_a (4.2): a CNN over each frame's 28 x 12 MFCC window, then an MLP."""

    def __init__(self, cfg: ETADConfig) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),    # 28 x 12 -> 14 x 6
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU())   # -> 7 x 3
        self.mlp = nn.Sequential(nn.Linear(32 * 7 * 3, 128), nn.ReLU(),
                                 nn.Linear(128, cfg.audio_dim))
        # Zero mean, unit variance per frame, no parameters: D_e's LSTM gets inputs on the
        # scale its gates work at (without it, it learned only the average face).
        self.norm = nn.LayerNorm(cfg.audio_dim, elementwise_affine=False) if cfg.audio_norm \
            else nn.Identity()

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        B, T = windows.shape[:2]
        x = self.cnn(windows.reshape(B * T, 1, 28, 12))       # (B T, 32, 7, 3)
        return self.norm(self.mlp(x.flatten(1))).view(B, T, -1)  # (B, T, A)


class EmotionEncoder(nn.Module):
    """E_e (4.2): one-hot -> two FC layers with LeakyReLU; repeated for every time step."""

    def __init__(self, cfg: ETADConfig) -> None:
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(cfg.n_emotions, cfg.emotion_dim), nn.LeakyReLU(0.2),
                                nn.Linear(cfg.emotion_dim, cfg.emotion_dim), nn.LeakyReLU(0.2))

    def forward(self, one_hot: torch.Tensor, T: int) -> torch.Tensor:
        return self.fc(one_hot)[:, None].expand(-1, T, -1)    # (B, 7) -> (B, T, E)


class EmotionDecoder(nn.Module):
    """D_e (4.2, Eq. 3): a 3-layer LSTM with 60 units and an FC layer -> every face control."""

    def __init__(self, cfg: ETADConfig, n_in: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_in, cfg.emo_hidden, num_layers=cfg.emo_layers, batch_first=True,
                            dropout=cfg.dropout)
        self.out = nn.Linear(cfg.emo_hidden, cfg.n_face)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, _ = self.lstm(x)                                   # (B, T, A + E) -> (B, T, 60)
        return self.out(x)                                    # (B, T, 43)


class ETAD(nn.Module):
    def __init__(self, cfg: ETADConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.mouth_columns = list(MOUTH_IN_FACE)
        self.layer_sum = LayerWeightedSum(cfg.hubert_layers)
        self.mouth_decoder = MouthDecoder(cfg, len(self.mouth_columns))
        self.audio_encoder = AudioEncoder(cfg)
        self.emotion_encoder = EmotionEncoder(cfg) if cfg.use_emotion else None
        n_in = cfg.audio_dim + (cfg.emotion_dim if cfg.use_emotion else 0)
        self.emotion_decoder = EmotionDecoder(cfg, n_in)
        # MFCC normalisation, measured on the training set (etad_train.py sets them)
        self.register_buffer("mfcc_mean", torch.zeros(12))
        self.register_buffer("mfcc_std", torch.ones(12))

    def forward(self, hubert: torch.Tensor, windows: torch.Tensor,
                emotion: torch.Tensor) -> torch.Tensor:
        """(B, N, 2T, D) HuBERT layers, (B, T, 28, 12) MFCC windows, (B,) emotion index
        -> (B, T, 43) face controls."""
        y_m = self.mouth_decoder(self.layer_sum(hubert))                   # (B, T, 19)
        T = y_m.shape[1]
        audio = self.audio_encoder((windows[:, :T] - self.mfcc_mean) / self.mfcc_std)
        if self.emotion_encoder is not None:
            one_hot = nn.functional.one_hot(emotion, self.cfg.n_emotions).float()
            audio = torch.cat([audio, self.emotion_encoder(one_hot, T)], dim=-1)
        y_e = self.emotion_decoder(audio)                                  # (B, T, 43)
        return self.fuse(y_m, y_e)

    def fuse(self, y_m: torch.Tensor, y_e: torch.Tensor) -> torch.Tensor:
        """F of Eq. 4: the mouth is articulation plus expression, the rest is expression."""
        mouth = torch.zeros_like(y_e)
        mouth[..., self.mouth_columns] = y_m
        return y_e + mouth


def etad_loss(pred: torch.Tensor, target: torch.Tensor, cfg: LossConfig) -> dict[str, torch.Tensor]:
    """Eq. 5 on (B, T, C) tracks. Each term is per frame and per control, so they share a scale:
    L2 = mean squared error over every control; DTW = Soft-DTW of the mouth controls / (T M),
    which equals their mean squared error on the diagonal alignment; continuity = mean over t
    of |y_hat(t+1) - y_hat(t)|^2 / C. Without Soft-DTW (the ablation) the DTW term is replaced
    by the mouth controls' mean squared error, not dropped, so the two variants weigh matching
    the GT against continuity alike."""
    T = pred.shape[1]
    mouth_pred, mouth_target = pred[..., MOUTH_IN_FACE], target[..., MOUTH_IN_FACE]
    terms = {"l2": ((pred - target) ** 2).mean(),
             "continuity": ((pred[:, 1:] - pred[:, :-1]) ** 2).mean()}
    if cfg.use_softdtw:
        terms["dtw"] = (soft_dtw(mouth_pred, mouth_target, cfg.softdtw_gamma).mean()
                        / (T * len(MOUTH_IN_FACE)))
        aligned = terms["dtw"]
    else:
        aligned = ((mouth_pred - mouth_target) ** 2).mean()
    terms["total"] = terms["l2"] + cfg.softdtw_weight * aligned + cfg.continuity * terms["continuity"]
    return terms


@torch.no_grad()
def etad_predict(model: ETAD, hubert: torch.Tensor, windows: torch.Tensor,
                 emotion: int) -> np.ndarray:
    """One clip: (N, 2T, D), (T, 28, 12), emotion index -> (T, 43) face controls in [0, 1]."""
    model.eval()
    out = model(hubert[None], windows[None], torch.tensor([emotion]))[0]
    return out.clamp(0.0, 1.0).numpy()
