"""Soft-DTW: exact against the textbook O(N M) recursion, gradients checked numerically."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from generator.models.softdtw import SoftDTW, pairwise_sq_dist, soft_dtw


def _reference(D: np.ndarray, gamma: float) -> float:
    """The plain dynamic programme of Cuturi and Blondel (2017), Algorithm 1, cell by cell."""
    N, M = D.shape
    R = np.full((N + 1, M + 1), np.inf)
    R[0, 0] = 0.0
    for i in range(1, N + 1):
        for j in range(1, M + 1):
            prev = np.array([R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]])
            finite = prev[np.isfinite(prev)]
            m = finite.min()
            softmin = m - gamma * math.log(np.exp(-(finite - m) / gamma).sum())
            R[i, j] = D[i - 1, j - 1] + softmin
    return float(R[N, M])


@pytest.mark.parametrize(("n", "m", "gamma"), [(1, 1, 0.1), (5, 5, 1.0), (7, 4, 0.01),
                                               (3, 9, 0.5), (12, 10, 0.1)])
def test_forward_is_exact_against_the_reference(n, m, gamma):
    rng = np.random.default_rng(n * 100 + m)
    x, y = rng.normal(size=(2, n, 3)), rng.normal(size=(2, m, 3))
    values = soft_dtw(torch.from_numpy(x), torch.from_numpy(y), gamma)
    for b in range(2):
        D = ((x[b][:, None] - y[b][None]) ** 2).sum(-1)
        assert abs(values[b].item() - _reference(D, gamma)) < 1e-9


def test_small_gamma_approaches_hard_dtw():
    # DTW of two sequences that differ only by a time shift of a repeated sample is 0.
    x = torch.tensor([[[0.0], [1.0], [1.0], [0.0]]], dtype=torch.float64)
    y = torch.tensor([[[0.0], [1.0], [0.0], [0.0]]], dtype=torch.float64)
    assert abs(soft_dtw(x, y, 1e-4).item()) < 1e-3


def test_gradcheck_on_the_cost_matrix():
    torch.manual_seed(0)
    D = torch.rand(2, 6, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda d: SoftDTW.apply(d, 0.3), (D,))


def test_gradcheck_through_the_sequences():
    torch.manual_seed(1)
    x = torch.randn(2, 5, 3, dtype=torch.float64, requires_grad=True)
    y = torch.randn(2, 7, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: soft_dtw(a, b, 0.5), (x, y))


def test_gradient_of_the_cost_is_an_alignment():
    # The gradient w.r.t. D is the expected alignment: it sums to at least max(N, M) cells
    # and, for small gamma and identical inputs, is the diagonal path.
    x = torch.randn(1, 6, 2, dtype=torch.float64)
    D = pairwise_sq_dist(x, x).requires_grad_(True)
    SoftDTW.apply(D, 1e-3).sum().backward()
    assert torch.allclose(D.grad[0], torch.eye(6, dtype=torch.float64), atol=1e-6)


def test_float32_batch_runs_and_is_finite():
    x, y = torch.rand(16, 100, 50, requires_grad=True), torch.rand(16, 100, 50)
    loss = soft_dtw(x, y, 0.1).mean()
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(x.grad).all()


def test_gamma_must_be_positive():
    with pytest.raises(ValueError, match="gamma"):
        soft_dtw(torch.zeros(1, 2, 1), torch.zeros(1, 2, 1), 0.0)
