"""Property tests of the distillation losses: zero on equal inputs, beta endpoints and continuity, dense == sparse."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from distillscope.distill.losses import LOG_ZERO, SparseTeacher, distill_loss, divergence, kd_loss
from distillscope.errors import InputError

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def logit_pairs(draw, max_vocab: int = 12):
    v = draw(st.integers(2, max_vocab))
    n = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.floats(0.1, 3.0))
    g = torch.Generator().manual_seed(seed)
    t = torch.randn(n, v, generator=g, dtype=torch.float64) * scale
    s = torch.randn(n, v, generator=g, dtype=torch.float64) * scale
    return t, s


def _lp(x: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(x, -1)


def _scipy_kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    from scipy.special import rel_entr

    return torch.tensor(rel_entr(p.numpy(), q.numpy()).sum(-1))


@SETTINGS
@given(logit_pairs(), st.sampled_from(["forward", "reverse", "jsd"]), st.floats(0.0, 1.0))
def test_zero_on_identical_inputs(pair, kind, beta):
    t, _ = pair
    d = divergence(_lp(t), _lp(t), kind, beta)
    assert torch.allclose(d, torch.zeros_like(d), atol=1e-10)


@SETTINGS
@given(logit_pairs(), st.sampled_from(["forward", "reverse", "jsd"]), st.floats(0.0, 1.0))
def test_nonnegative_and_positive_when_different(pair, kind, beta):
    t, s = pair
    d = divergence(_lp(t), _lp(s), kind, beta)
    assert (d >= -1e-12).all()
    differs = (_lp(t) - _lp(s)).abs().amax(-1) > 1e-3
    assert (d[differs] > 0).all()


@SETTINGS
@given(logit_pairs())
def test_forward_and_reverse_match_scipy(pair):
    t, s = pair
    p, q = t.softmax(-1), s.softmax(-1)
    assert torch.allclose(divergence(_lp(t), _lp(s), "forward"), _scipy_kl(p, q), atol=1e-9)
    assert torch.allclose(divergence(_lp(t), _lp(s), "reverse"), _scipy_kl(q, p), atol=1e-9)


@SETTINGS
@given(logit_pairs())
def test_beta_endpoints_are_forward_and_reverse_kl(pair):
    t, s = pair
    fwd = divergence(_lp(t), _lp(s), "forward")
    rev = divergence(_lp(t), _lp(s), "reverse")
    assert torch.allclose(divergence(_lp(t), _lp(s), "jsd", 0.0), fwd, atol=1e-12)
    assert torch.allclose(divergence(_lp(t), _lp(s), "jsd", 1.0), rev, atol=1e-12)


@SETTINGS
@given(logit_pairs())
def test_continuous_near_both_endpoints(pair):
    from distillscope.distill.losses import BETA_EDGE

    t, s = pair
    lt, ls_ = _lp(t), _lp(s)
    fwd, rev = divergence(lt, ls_, "forward"), divergence(lt, ls_, "reverse")
    for eps, tol in ((1e-4, 0.1), (1e-6, 1e-3)):
        assert ((divergence(lt, ls_, "jsd", eps) - fwd).abs() <= tol * (1 + fwd)).all()
        assert ((divergence(lt, ls_, "jsd", 1 - eps) - rev).abs() <= tol * (1 + rev)).all()
    # no jump where the evaluation switches to interpolation towards the endpoints
    for b in (BETA_EDGE, 1 - BETA_EDGE):
        lo, hi = divergence(lt, ls_, "jsd", b * (1 - 1e-9)), divergence(lt, ls_, "jsd", b * (1 + 1e-9))
        assert torch.allclose(lo, hi, rtol=1e-5, atol=1e-8)


def test_gap_to_endpoint_shrinks_linearly():
    t = torch.tensor([[1.0, 0.0, -0.5, 0.3]], dtype=torch.float64)
    s = torch.tensor([[0.2, 0.4, 0.0, -0.3]], dtype=torch.float64)
    fwd = divergence(_lp(t), _lp(s), "forward")
    gaps = [float((divergence(_lp(t), _lp(s), "jsd", e) - fwd).abs()) for e in (1e-1, 1e-2, 1e-4)]
    assert gaps[1] < 0.2 * gaps[0] and gaps[2] < 0.02 * gaps[1]


def test_endpoints_are_not_swapped():
    t = torch.tensor([[3.0, 0.0, 0.0]], dtype=torch.float64)
    s = torch.tensor([[0.0, 0.0, 0.0]], dtype=torch.float64)
    fwd, rev = divergence(_lp(t), _lp(s), "forward"), divergence(_lp(t), _lp(s), "reverse")
    assert not torch.allclose(fwd, rev, atol=1e-3)
    assert torch.allclose(divergence(_lp(t), _lp(s), "jsd", 1e-7), fwd, atol=1e-5)
    assert torch.allclose(divergence(_lp(t), _lp(s), "jsd", 1 - 1e-7), rev, atol=1e-5)


def test_jsd_half_is_four_times_symmetric_jsd():
    t = torch.tensor([[2.0, 0.0, -1.0]], dtype=torch.float64)
    s = torch.tensor([[0.0, 1.0, 0.5]], dtype=torch.float64)
    p, q = t.softmax(-1), s.softmax(-1)
    m = (p + q) / 2
    js = 0.5 * _scipy_kl(p, m) + 0.5 * _scipy_kl(q, m)
    assert torch.allclose(divergence(_lp(t), _lp(s), "jsd", 0.5), 4 * js, atol=1e-12)
    # symmetric at beta = 0.5
    assert torch.allclose(divergence(_lp(t), _lp(s), "jsd", 0.5), divergence(_lp(s), _lp(t), "jsd", 0.5))


@SETTINGS
@given(logit_pairs(), st.sampled_from(["forward", "reverse", "jsd"]), st.floats(0.0, 1.0), st.floats(0.5, 4.0))
def test_gradients_finite_dense_and_sparse(pair, kind, beta, temp):
    t, s = pair
    t, s = t.float().unsqueeze(0), s.float().unsqueeze(0)
    s = s.clone().requires_grad_(True)
    k = max(1, t.shape[-1] // 2)
    for teacher in (t, SparseTeacher.from_logits(t, k)):
        loss = kd_loss(s, teacher, kind=kind, beta=beta, temperature=temp)
        (g,) = torch.autograd.grad(loss, s)
        assert torch.isfinite(loss) and torch.isfinite(g).all()


@SETTINGS
@given(logit_pairs(), st.sampled_from(["forward", "reverse", "jsd"]), st.floats(0.0, 1.0), st.floats(0.5, 4.0))
def test_dense_equals_sparse_at_full_k(pair, kind, beta, temp):
    t, s = pair
    t, s = t.float().unsqueeze(0), s.float().unsqueeze(0)
    s1 = s.clone().requires_grad_(True)
    s2 = s.clone().requires_grad_(True)
    dense = kd_loss(s1, t, kind=kind, beta=beta, temperature=temp)
    sparse = kd_loss(s2, SparseTeacher.from_logits(t, t.shape[-1]), kind=kind, beta=beta, temperature=temp)
    assert torch.allclose(dense, sparse, atol=1e-5, rtol=1e-4)
    (g1,) = torch.autograd.grad(dense, s1)
    (g2,) = torch.autograd.grad(sparse, s2)
    assert torch.allclose(g1, g2, atol=1e-5)


def test_sparse_topk_with_tail_is_close_to_dense_for_peaked_teacher():
    g = torch.Generator().manual_seed(0)
    t = torch.randn(1, 4, 500, generator=g) * 4  # peaked: most mass in few tokens
    s = torch.randn(1, 4, 500, generator=g)
    dense = kd_loss(s, t)
    sparse = kd_loss(s, SparseTeacher.from_logits(t, 50))
    assert abs(float(dense) - float(sparse)) / float(dense) < 0.1
    # the tail bucket matters: without it (tail forced empty) the estimate is worse
    st_ = SparseTeacher.from_logits(t, 50)
    no_tail = SparseTeacher(st_.ids, st_.logp, torch.full_like(st_.tail_logp, LOG_ZERO))
    assert abs(float(kd_loss(s, no_tail)) - float(dense)) >= abs(float(sparse) - float(dense))


def test_padding_slots_are_ignored():
    g = torch.Generator().manual_seed(1)
    t = torch.randn(1, 2, 30, generator=g)
    s = torch.randn(1, 2, 30, generator=g)
    sp = SparseTeacher.from_logits(t, 5)
    pad_ids = torch.cat([sp.ids, torch.zeros(1, 2, 3, dtype=torch.long)], -1)
    pad_lp = torch.cat([sp.logp, torch.full((1, 2, 3), LOG_ZERO)], -1)
    padded = SparseTeacher(pad_ids, pad_lp, sp.tail_logp)
    assert torch.allclose(kd_loss(s, sp), kd_loss(s, padded), atol=1e-6)


def test_temperature_scales_by_t_squared_at_equal_tempered_divergence():
    t = torch.tensor([[[1.0, 0.0, -1.0]]])
    s = torch.tensor([[[0.0, 0.5, 0.0]]])
    t2 = kd_loss(s, t, temperature=2.0)
    direct = divergence(_lp(t / 2), _lp(s / 2)) * 4
    assert torch.allclose(t2, direct.mean())


def test_distill_loss_mixes_ce_and_ignores_masked_labels():
    g = torch.Generator().manual_seed(2)
    s = torch.randn(1, 5, 20, generator=g)
    t = torch.randn(1, 5, 20, generator=g)
    labels = torch.tensor([[3, 4, -100, 7, -100]])
    loss, parts = distill_loss(s, t, labels, alpha=0.25)
    assert math.isclose(float(loss), 0.25 * parts["kd"] + 0.75 * parts["ce"], rel_tol=1e-5)
    ce_only, parts0 = distill_loss(s, t, labels, alpha=0.0)
    assert math.isclose(float(ce_only), parts0["ce"], rel_tol=1e-6)
    # masked positions do not change the loss
    t2 = t.clone()
    t2[0, 2] += 10
    assert torch.allclose(distill_loss(s, t2, labels, alpha=1.0)[0], distill_loss(s, t, labels, alpha=1.0)[0])


def test_bad_arguments_are_clear_errors():
    x = torch.zeros(1, 2, 4)
    with pytest.raises(InputError, match="beta"):
        divergence(x, x, "jsd", 1.5)
    with pytest.raises(InputError, match="Unknown divergence"):
        divergence(x, x, "tv")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="sequences"):
        kd_loss(x, torch.zeros(1, 2, 5))
    with pytest.raises(InputError, match="temperature"):
        kd_loss(x, x, temperature=0)
