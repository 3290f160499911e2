"""Soft-DTW (Cuturi and Blondel 2017), the alignment loss of ETAD's Eq. 5.

The paper's loss tolerates small timing errors between audio and the animators'
rig keys (section 4.3). This is the project's own implementation, torch around
numpy, so it needs no compile step in a new process (docs/models.md):

- forward: the soft-min recursion ``R[i, j] = D[i, j] + softmin_g(R[i-1, j-1],
  R[i-1, j], R[i, j-1])`` computed one anti-diagonal ``d = i + j`` at a time.
  Cells of one anti-diagonal do not depend on each other, so each diagonal is a
  single vectorised step over the batch and the diagonal. ``R`` is stored
  skewed, ``S[d, i] = R[i, d - i]``, which makes every neighbour a contiguous
  slice: ``R[i-1, j-1] = S[d-2, i-1]``, ``R[i-1, j] = S[d-1, i-1]``,
  ``R[i, j-1] = S[d-1, i]``.
- backward: the analytic gradient (their Algorithm 2), the expected alignment
  ``E = dR[N, M] / dD``, by the reverse recursion over the same diagonals.

``SoftDTW.apply(D, gamma)`` works on a cost matrix; :func:`soft_dtw` builds the
squared-Euclidean cost of two sequences and differentiates through it.
"""

from __future__ import annotations

import numpy as np
import torch


def _grid(N: int, M: int) -> tuple[np.ndarray, np.ndarray]:
    """Skewed coordinates of every cell: (d, i) = (i + j, i) for 1-based i, j."""
    i = np.arange(1, N + 1)[:, None].repeat(M, axis=1)
    j = np.arange(1, M + 1)[None, :].repeat(N, axis=0)
    return i + j, i


def _skew(D: np.ndarray) -> np.ndarray:
    """(B, N, M) cost -> (B, N+M+3, N+2) skewed, S[:, i+j, i] = D[:, i-1, j-1] (1-based i, j)."""
    B, N, M = D.shape
    d, i = _grid(N, M)
    S = np.zeros((B, N + M + 3, N + 2), dtype=D.dtype)
    S[:, d, i] = D
    return S


def _rows(d: int, N: int, M: int) -> tuple[int, int]:
    """The valid rows ``lo..hi`` (inclusive) of anti-diagonal ``d``."""
    return max(1, d - M), min(N, d - 1)


def _forward(Ds: np.ndarray, gamma: float, N: int, M: int) -> np.ndarray:
    """The skewed R of the soft-min recursion. Each diagonal is one vectorised step; the
    soft-min of three values is taken around their minimum, so it never overflows."""
    R = np.full_like(Ds, np.inf)
    R[:, 0, 0] = 0.0
    for d in range(2, N + M + 1):
        lo, hi = _rows(d, N, M)
        diag, left, up = R[:, d - 2, lo - 1:hi], R[:, d - 1, lo - 1:hi], R[:, d - 1, lo:hi + 1]
        low = np.minimum(np.minimum(diag, left), up)  # finite: every cell has a finite predecessor
        total = np.exp((low - diag) / gamma) + np.exp((low - left) / gamma) + np.exp((low - up) / gamma)
        R[:, d, lo:hi + 1] = Ds[:, d, lo:hi + 1] + low - gamma * np.log(total)
    return R


def _backward(Ds: np.ndarray, R: np.ndarray, gamma: float, N: int, M: int) -> np.ndarray:
    """The skewed expected alignment E = dR[N, M] / dD (Cuturi and Blondel, Algorithm 2)."""
    # Outside the grid R is -inf (no path leaves it), except the corner (N+1, M+1),
    # which continues the optimal path with zero cost.
    R = np.where(np.isinf(R), -np.inf, R)
    R[:, N + M + 2, N + 1] = R[:, N + M, N]
    # The transition weights of every cell (i, j) to its successors (i+1, j), (i, j+1) and
    # (i+1, j+1) depend on R and D only, so they are computed for the whole grid at once;
    # the loop is then three multiply-adds per diagonal. (Cells outside the grid give NaN
    # here and are never read.)
    here = R[:, :-2, :-1]
    with np.errstate(invalid="ignore", over="ignore"):
        a = np.exp((R[:, 1:-1, 1:] - here - Ds[:, 1:-1, 1:]) / gamma)    # to (i+1, j)
        b = np.exp((R[:, 1:-1, :-1] - here - Ds[:, 1:-1, :-1]) / gamma)  # to (i, j+1)
        c = np.exp((R[:, 2:, 1:] - here - Ds[:, 2:, 1:]) / gamma)        # to (i+1, j+1)
    E = np.zeros_like(R)
    E[:, N + M + 2, N + 1] = 1.0
    for d in range(N + M, 1, -1):
        lo, hi = _rows(d, N, M)
        E[:, d, lo:hi + 1] = (E[:, d + 1, lo + 1:hi + 2] * a[:, d, lo:hi + 1]
                              + E[:, d + 1, lo:hi + 1] * b[:, d, lo:hi + 1]
                              + E[:, d + 2, lo + 1:hi + 2] * c[:, d, lo:hi + 1])
    return E


class SoftDTW(torch.autograd.Function):
    """Soft-DTW value of a batch of cost matrices: (B, N, M) -> (B,).

    The two recursions run in numpy on the CPU: a diagonal is a few hundred numbers,
    so the per-operation overhead decides the speed, and numpy's is several times
    smaller than torch's. The cost matrix and everything around it stay in torch.
    """

    @staticmethod
    def forward(ctx, D: torch.Tensor, gamma: float) -> torch.Tensor:
        N, M = D.shape[1:]
        Ds = _skew(D.detach().cpu().numpy())
        R = _forward(Ds, gamma, N, M)
        ctx.skewed, ctx.gamma, ctx.shape, ctx.device = (Ds, R), gamma, (N, M), D.device
        return torch.from_numpy(R[:, N + M, N].copy()).to(D.device)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        N, M = ctx.shape
        E = _backward(*ctx.skewed, ctx.gamma, N, M)
        d, i = _grid(N, M)
        grad = torch.from_numpy(E[:, d, i]).to(ctx.device)  # (B, N, M), the expected alignment
        return grad * grad_output.view(-1, 1, 1), None


def pairwise_sq_dist(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(B, N, C), (B, M, C) -> (B, N, M) squared Euclidean distances.

    As ``|x|^2 + |y|^2 - 2 x.y`` with one batched matrix product: the plain
    difference would build a (B, N, M, C) tensor, 4x slower forward and backward
    than the whole soft-DTW recursion at ETAD's sizes. Rounding can leave a tiny
    negative where two frames are equal, so the result is clamped at 0.
    """
    square = (x * x).sum(-1).unsqueeze(2) + (y * y).sum(-1).unsqueeze(1)
    return (square - 2 * torch.bmm(x, y.transpose(1, 2))).clamp_min(0)


def soft_dtw(x: torch.Tensor, y: torch.Tensor, gamma: float = 0.1) -> torch.Tensor:
    """(B, N, C), (B, M, C) -> (B,) Soft-DTW with squared-Euclidean cost."""
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, not {gamma}")
    return SoftDTW.apply(pairwise_sq_dist(x, y), gamma)
