"""Soft-DTW (Cuturi and Blondel 2017), the alignment loss of ETAD's Eq. 5.

The paper's loss tolerates small timing errors between audio and the animators'
rig keys (section 4.3). This is the project's own implementation, in plain
torch, so it needs no compile step in a new process (docs/models.md):

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

import torch


def _skew(D: torch.Tensor) -> torch.Tensor:
    """(B, N, M) cost -> (B, N+M+3, N+2) skewed, S[:, i+j, i] = D[:, i-1, j-1] (1-based i, j)."""
    B, N, M = D.shape
    i = torch.arange(1, N + 1).view(N, 1).expand(N, M)
    j = torch.arange(1, M + 1).view(1, M).expand(N, M)
    S = D.new_zeros(B, N + M + 3, N + 2)
    S[:, i + j, i] = D
    return S


def _rows(d: int, N: int, M: int) -> tuple[int, int]:
    """The valid rows ``lo..hi`` (inclusive) of anti-diagonal ``d``."""
    return max(1, d - M), min(N, d - 1)


class SoftDTW(torch.autograd.Function):
    """Soft-DTW value of a batch of cost matrices: (B, N, M) -> (B,)."""

    @staticmethod
    def forward(ctx, D: torch.Tensor, gamma: float) -> torch.Tensor:
        B, N, M = D.shape
        Ds = _skew(D)
        R = torch.full_like(Ds, float("inf"))
        R[:, 0, 0] = 0.0
        for d in range(2, N + M + 1):
            lo, hi = _rows(d, N, M)
            # (B, 3, n): R[i-1, j-1], R[i-1, j], R[i, j-1] for the diagonal's cells
            prev = torch.stack((R[:, d - 2, lo - 1:hi], R[:, d - 1, lo - 1:hi],
                                R[:, d - 1, lo:hi + 1]), dim=1)
            softmin = -gamma * torch.logsumexp(-prev / gamma, dim=1)
            R[:, d, lo:hi + 1] = Ds[:, d, lo:hi + 1] + softmin
        ctx.save_for_backward(Ds, R)
        ctx.gamma, ctx.shape = gamma, (N, M)
        return R[:, N + M, N].clone()

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        Ds, R = ctx.saved_tensors
        gamma, (N, M) = ctx.gamma, ctx.shape
        # Outside the grid R is -inf (no path leaves it), except the corner
        # (N+1, M+1), which continues the optimal path with zero cost.
        R = torch.where(torch.isinf(R), torch.full_like(R, -float("inf")), R)
        R[:, N + M + 2, N + 1] = R[:, N + M, N]
        # The transition weights of every cell (i, j) to its successors (i+1, j), (i, j+1)
        # and (i+1, j+1) depend on R and D only, so they are computed for the whole grid at
        # once; the loop below is then three multiply-adds per diagonal. (Cells outside the
        # grid give NaN here and are never read.)
        here = R[:, :-2, :-1]
        a = torch.exp((R[:, 1:-1, 1:] - here - Ds[:, 1:-1, 1:]) / gamma)    # to (i+1, j)
        b = torch.exp((R[:, 1:-1, :-1] - here - Ds[:, 1:-1, :-1]) / gamma)  # to (i, j+1)
        c = torch.exp((R[:, 2:, 1:] - here - Ds[:, 2:, 1:]) / gamma)        # to (i+1, j+1)
        E = torch.zeros_like(R)
        E[:, N + M + 2, N + 1] = 1.0
        for d in range(N + M, 1, -1):
            lo, hi = _rows(d, N, M)
            E[:, d, lo:hi + 1] = (E[:, d + 1, lo + 1:hi + 2] * a[:, d, lo:hi + 1]
                                  + E[:, d + 1, lo:hi + 1] * b[:, d, lo:hi + 1]
                                  + E[:, d + 2, lo + 1:hi + 2] * c[:, d, lo:hi + 1])
        i = torch.arange(1, N + 1).view(N, 1).expand(N, M)
        j = torch.arange(1, M + 1).view(1, M).expand(N, M)
        grad = E[:, i + j, i]  # (B, N, M), the expected alignment
        return grad * grad_output.view(-1, 1, 1), None


def pairwise_sq_dist(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(B, N, C), (B, M, C) -> (B, N, M) squared Euclidean distances."""
    return ((x.unsqueeze(2) - y.unsqueeze(1)) ** 2).sum(-1)


def soft_dtw(x: torch.Tensor, y: torch.Tensor, gamma: float = 0.1) -> torch.Tensor:
    """(B, N, C), (B, M, C) -> (B,) Soft-DTW with squared-Euclidean cost."""
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, not {gamma}")
    return SoftDTW.apply(pairwise_sq_dist(x, y), gamma)
