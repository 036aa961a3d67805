"""A distillation-resistant API, measured: what each output defence costs the teacher and takes from a student.

    /work/wt/heavy .venv/bin/python bench/antidistill.py --out antidistill.html        # full run (see --help)
    .venv/bin/python bench/antidistill.py --quick                                        # smoke run (one strength, one seed)

1. Teacher: a tiny GPT-2 (built from a config) trained here on a synthetic task with exact accuracy (default: a
   substitution cipher over 6-digit strings; ``--task add``: 2-digit addition, answer digits reversed), cached
   under distillscope's cache dir so later runs skip training.
2. Every defence serves the teacher's answers exactly as the gateway does (the project's ``Perturbation``,
   ``WatermarkConfig`` schemes through transformers' processors, ``defences.coarsen_tensor`` for the served
   log-probabilities, ``defences.AntidistillationTilt`` for antidistillation sampling): sampled at T = 1 with the
   defence applied to the logits, top-k log-probabilities of the served distribution returned with each token.
3. Students (a smaller GPT-2) are distilled from ``--queries`` served answers (a) as text (cross-entropy on the
   served tokens) and (b) from the served top-k log-probabilities (``distill.losses.distill_loss`` with a
   ``SparseTeacher``). Adaptive attacker: (a) queries each prompt 3 times and keeps the majority answer
   (self-consistency: a label-free recalibration of the sampling temperature towards 0); (b) the same majority
   answer's served log-probabilities, sharpened by beta (temperature recalibration; beta = the serving temperature
   factor for the temperature defence, which is the oracle attacker, else 1).
4. Per defence, strength and seed: teacher accuracy of its served samples and KL(served || clean teacher) in
   nats/token; student accuracy (greedy) and KL(clean teacher || student) on held-out problems; "gain" = student
   accuracy minus the undistilled (untrained) student's. Means with 95% t-intervals over seeds.

The goal the issue sets: a defence costing the teacher <= 1 accuracy point (or <= 0.05 nats/token) while the
student loses >= 10 points of its gain, and >= 5 points against the adaptive attacker. The script prints whether
any defence met it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats

from distillscope.distill.losses import LOG_ZERO, SparseTeacher, distill_loss
from distillscope.watermark.config import WatermarkConfig
from distillscope.watermark.defences import AntidistillationTilt, coarsen_tensor
from distillscope.watermark.model import Perturbation
from distillscope.watermark.schemes import make_scheme

V, PLUS, EQ, BOS = 13, 10, 11, 12  # digits 0-9, '+', '=', BOS


# --- the task ------------------------------------------------------------------------------------------------
TASK = {"name": "cipher", "size": 6}
CIPHER = torch.tensor([3, 7, 0, 9, 1, 5, 8, 2, 6, 4])


def problems(n: int, seed: int, size: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(prompts, answers) of the task in ``TASK``: ``cipher`` (``BOS s =`` -> each digit of s through a fixed
    substitution; ``size`` digits) or ``add`` (``BOS a + b =`` -> the digits of a+b, least significant first;
    ``size``-digit operands)."""
    size = size or TASK["size"]
    g = torch.Generator().manual_seed(seed)
    if TASK["name"] == "cipher":
        s = torch.randint(0, 10, (n, size), generator=g)
        return torch.cat([torch.full((n, 1), BOS), s, torch.full((n, 1), EQ)], 1), CIPHER[s]
    digits = size
    a, b = torch.randint(0, 10**digits, (n,), generator=g), torch.randint(0, 10**digits, (n,), generator=g)

    def digs(x: torch.Tensor, k: int) -> torch.Tensor:
        return torch.stack([(x // 10**i) % 10 for i in reversed(range(k))], 1)

    col = torch.full((n, 1), 0)
    p = torch.cat([col + BOS, digs(a, digits), col + PLUS, digs(b, digits), col + EQ], 1)
    c = a + b
    return p, torch.stack([(c // 10**i) % 10 for i in range(digits + 1)], 1)


def gpt(d: int, layers: int, heads: int, seed: int, positions: int) -> Any:
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    cfg = GPT2Config(vocab_size=V, n_embd=d, n_layer=layers, n_head=heads, n_positions=positions, resid_pdrop=0.0,
                     embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=BOS, eos_token_id=BOS)
    return GPT2LMHeadModel(cfg)


def answer_logits(model: Any, prompts: torch.Tensor, answers: torch.Tensor) -> torch.Tensor:
    """Logits predicting each answer position, teacher-forced: [n, A, V]."""
    x = torch.cat([prompts, answers], 1)
    return model(input_ids=x).logits[:, prompts.shape[1] - 1: -1]


@torch.no_grad()
def greedy_accuracy(model: Any, prompts: torch.Tensor, answers: torch.Tensor) -> float:
    x = prompts
    for _ in range(answers.shape[1]):
        x = torch.cat([x, model(input_ids=x).logits[:, -1].argmax(-1, keepdim=True)], 1)
    return float((x[:, prompts.shape[1]:] == answers).all(1).float().mean())


@torch.no_grad()
def kl_to(teacher: Any, model: Any, prompts: torch.Tensor, answers: torch.Tensor) -> float:
    """KL(teacher || model) in nats per answer token, teacher-forced along the true answers."""
    lp = torch.log_softmax(answer_logits(teacher, prompts, answers), -1)
    lq = torch.log_softmax(answer_logits(model, prompts, answers), -1)
    return float((lp.exp() * (lp - lq)).sum(-1).mean())


def train(model: Any, prompts: torch.Tensor, targets: torch.Tensor, steps: int, bs: int, lr: float, seed: int,
          soft: tuple[torch.Tensor, torch.Tensor] | None = None, beta: float = 1.0) -> Any:
    """Cross-entropy on ``targets`` (text distillation) or, with ``soft`` = (top ids, top logprobs) [n, A, k],
    ``distill_loss`` against the served top-k (plus its tail bucket) sharpened by ``beta``."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, len(prompts), (bs,), generator=g)
        z = answer_logits(model, prompts[idx], targets[idx])
        if soft is None:
            loss = F.cross_entropy(z.reshape(-1, V), targets[idx].reshape(-1))
        else:
            loss, _ = distill_loss(z, sparse(soft[0][idx], soft[1][idx], beta), targets[idx], alpha=0.9)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return model


def sparse(ids: torch.Tensor, logp: torch.Tensor, beta: float = 1.0) -> SparseTeacher:
    """A SparseTeacher from served (possibly rounded / truncated) top-k log-probabilities: padding slots carry
    LOG_ZERO; the tail bucket is what the served ones leave (nothing if rounding pushed them above 1)."""
    valid = logp > LOG_ZERO / 2
    lp = torch.where(valid, logp * beta, torch.full_like(logp, LOG_ZERO))
    if beta != 1.0:  # sharpening renormalises over the served tokens (the tail is unknown)
        lp = torch.where(valid, lp - torch.logsumexp(lp, -1, keepdim=True), lp)
    mass = torch.where(valid, lp.exp(), torch.zeros_like(lp)).sum(-1)
    tail = torch.where(mass < 1 - 1e-6, torch.log1p(-mass.clamp(max=1 - 1e-6)), torch.full_like(mass, LOG_ZERO))
    norm = torch.where(mass > 1, torch.log(mass), torch.zeros_like(mass)).unsqueeze(-1)
    lp = torch.where(valid, lp - norm, lp)
    return SparseTeacher(ids, lp, tail)


# --- the defences, as the gateway applies them -----------------------------------------------------------------
@dataclass
class Defence:
    """One defence at one strength: sampling-time rewrites (perturbation, watermark, ADS tilt) and the served
    log-probabilities' coarsening."""

    name: str
    strength: str
    perturbation: Perturbation | None = None
    watermark: WatermarkConfig | None = None
    ads_lambda: float = 0.0
    recal_beta: float = 1.0  # what the adaptive attacker's temperature recalibration multiplies logprobs by
    extra: dict[str, Any] = field(default_factory=dict)

    def start(self, seed: int, tilt: AntidistillationTilt | None) -> Any:
        gen = torch.Generator().manual_seed(seed + 7919)
        scheme = make_scheme(self.watermark, V) if self.watermark is not None else None
        proc = scheme.processor() if scheme is not None else None
        pert = self.perturbation if self.perturbation is not None and self.perturbation.samples_changed else None

        def rewrite(history: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
            if pert is not None:
                z = pert.apply(z, generator=gen)
            if proc is not None:
                z = proc(history, z)
            if self.ads_lambda and tilt is not None:
                z = z + self.ads_lambda * tilt.scale * tilt(history)
            return z

        return rewrite

    def coarsen(self, logq: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.perturbation
        step = p.logprob_step if p is not None else 0.0
        kmax = p.top_logprobs_max if p is not None and p.top_logprobs_max is not None else k
        v, ix = logq.topk(k, -1)
        v = coarsen_tensor(v, step)
        if kmax < k:
            v[..., kmax:] = LOG_ZERO
        return ix, v


@torch.no_grad()
def serve(teacher: Any, prompts: torch.Tensor, A: int, defence: Defence, seed: int, k: int,
          tilt: AntidistillationTilt | None) -> dict[str, torch.Tensor]:
    """Sample A answer tokens through ``defence`` at T = 1: tokens, served top-k, KL(served || clean) per token."""
    rewrite = defence.start(seed, tilt)
    g = torch.Generator().manual_seed(seed)
    x = prompts
    toks, ids, lps, kls = [], [], [], []
    for _ in range(A):
        z = teacher(input_ids=x).logits[:, -1].float()
        zq = rewrite(x, z)
        logp, logq = torch.log_softmax(z, -1), torch.log_softmax(zq, -1)
        t = torch.multinomial(logq.exp(), 1, generator=g)
        i, v = defence.coarsen(logq, k)
        toks.append(t)
        ids.append(i)
        lps.append(v)
        kls.append((logq.exp() * (logq - logp)).sum(-1))
        x = torch.cat([x, t], 1)
    return {"tokens": torch.cat(toks, 1), "ids": torch.stack(ids, 1), "logp": torch.stack(lps, 1),
            "kl": torch.stack(kls, 1)}


def majority(draws: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Per prompt, the most frequent served answer over the draws (ties: the earliest), with its top-k."""
    n = draws[0]["tokens"].shape[0]
    pick = torch.zeros(n, dtype=torch.long)
    for j in range(n):
        answers = [tuple(d["tokens"][j].tolist()) for d in draws]
        best = Counter(answers).most_common(1)[0][0]
        pick[j] = answers.index(best)
    ar = torch.arange(n)
    return {key: torch.stack([d[key] for d in draws])[pick, ar] for key in ("tokens", "ids", "logp")}


def defences(args: argparse.Namespace) -> list[Defence]:
    out = [Defence("none", "-")]
    for t in args.temperatures:
        out.append(Defence("temperature", f"x{t:g}", Perturbation(temperature_factor=t), recal_beta=t))
    for s in args.noises:
        out.append(Defence("logit noise", f"sd {s:g}", Perturbation(logit_noise=s)))
    for step, kmax in ((0.5, 5), (1.0, 2), (2.0, 1)):
        out.append(Defence("logprob round/trunc", f"{step:g} nats, top-{kmax}",
                           Perturbation(logprob_step=step, top_logprobs_max=kmax)))
    for d in args.kgw_deltas:
        out.append(Defence("KGW", f"delta {d:g}", watermark=WatermarkConfig(key="bench-antidistill", delta=d)))
    for depth in args.synthid_depths:
        out.append(Defence("SynthID", f"depth {depth}", watermark=WatermarkConfig(
            scheme="synthid", key="bench-antidistill", ngram_len=3, depth=depth)))
    for lam in args.ads_lambdas:
        out.append(Defence("antidistillation sampling", f"lambda {lam:g}", ads_lambda=lam))
    for b in args.fingerprint_biases:
        out.append(Defence("fingerprint bias", f"bias {b:g}", Perturbation(
            fingerprint_bias=b, fingerprint_key="bench-antidistill", fingerprint_gamma=0.25)))
    return out


# --- the run ------------------------------------------------------------------------------------------------
def teacher_model(args: argparse.Namespace, positions: int) -> tuple[Any, dict[str, Any]]:
    from distillscope.paths import cache_dir

    spec = {"task": args.task, "size": args.size, "d": args.teacher_d, "layers": args.teacher_layers,
            "steps": args.teacher_steps, "v": 2}
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    path = cache_dir("bench-antidistill") / f"teacher-{key}.pt"
    model = gpt(args.teacher_d, args.teacher_layers, 4, 0, positions)
    info: dict[str, Any] = {"cached": path.exists()}
    if path.exists():
        model.load_state_dict(torch.load(path))
        model.eval()
        return model, info
    t0 = time.time()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    for step in range(args.teacher_steps):
        p, a = problems(256, 10_000 + step, args.size)
        loss = F.cross_entropy(answer_logits(model, p, a).reshape(-1, V), a.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    torch.save(model.state_dict(), path)
    info["train_s"] = round(time.time() - t0, 1)
    return model, info


def proxy_tilt(args: argparse.Namespace, teacher: Any, positions: int, A: int) -> AntidistillationTilt:
    """ADS proxy: a student-sized model briefly distilled from clean teacher text on its own prompts; the tilt
    follows the gradient of its loss on held-out problems with their correct answers."""
    p, _ = problems(args.queries, 555, args.size)
    clean = serve(teacher, p, A, Defence("none", "-"), 555, args.k, None)
    proxy = train(gpt(args.student_d, args.student_layers, 2, 555, positions), p, clean["tokens"],
                  args.student_steps, args.batch, args.lr, 555)
    hp, ha = problems(512, 556, args.size)
    tilt = AntidistillationTilt.from_loss(
        proxy, lambda m: F.cross_entropy(answer_logits(m, hp, ha).reshape(-1, V), ha.reshape(-1)), eps=args.ads_eps)
    # scale lambda so that lambda = 1 is a tilt of one nat at the typical (median absolute) position
    x = torch.cat([hp[:256], ha[:256, :1]], 1)
    tilt.scale = 1.0 / float(tilt(x).abs().median().clamp(min=1e-9))
    return tilt


def interval(xs: list[float]) -> tuple[float, float]:
    m = float(np.mean(xs))
    if len(xs) < 2:
        return m, float("nan")
    return m, float(stats.t.ppf(0.975, len(xs) - 1) * np.std(xs, ddof=1) / math.sqrt(len(xs)))


def run(args: argparse.Namespace) -> dict[str, Any]:
    torch.set_num_threads(args.threads)
    TASK.update(name=args.task, size=args.size)
    A = args.size + (1 if args.task == "add" else 0)
    positions = 2 * args.size + 3 + A + 1
    t0 = time.time()
    teacher, tinfo = teacher_model(args, positions)
    test_p, test_a = problems(args.test, 999, args.size)
    tinfo["greedy_accuracy"] = greedy_accuracy(teacher, test_p, test_a)
    print(json.dumps({"teacher": tinfo}), flush=True)
    tilt = proxy_tilt(args, teacher, positions, A) if args.ads_lambdas else None
    rows = []
    base = {}
    for seed in range(args.seeds):
        s = gpt(args.student_d, args.student_layers, 2, 100 + seed, positions)
        base[seed] = {"acc": greedy_accuracy(s, test_p, test_a), "kl": kl_to(teacher, s, test_p, test_a)}
    for dfn in defences(args):
        for seed in range(args.seeds):
            t1 = time.time()
            tp = serve(teacher, test_p, A, dfn, 10 * seed + 1, args.k, tilt)
            q_p, _ = problems(args.queries, 2000 + seed, args.size)
            draws = [serve(teacher, q_p, A, dfn, 100 * seed + 3 + j, args.k, tilt) for j in range(3)]
            maj = majority(draws)
            row = {"defence": dfn.name, "strength": dfn.strength, "seed": seed,
                   "teacher_acc": float((tp["tokens"] == test_a).all(1).float().mean()),
                   "teacher_kl": float(tp["kl"].mean()), "base_acc": base[seed]["acc"], "base_kl": base[seed]["kl"]}
            runs = {"text": (draws[0]["tokens"], None, 1.0), "logprobs": (draws[0]["tokens"], draws[0], 1.0),
                    "text_adaptive": (maj["tokens"], None, 1.0), "logprobs_adaptive": (maj["tokens"], maj, dfn.recal_beta)}
            for name, (targets, soft, beta) in runs.items():
                st = gpt(args.student_d, args.student_layers, 2, 100 + seed, positions)
                sv = None if soft is None else (soft["ids"], soft["logp"])
                train(st, q_p, targets, args.student_steps, args.batch, args.lr, seed, sv, beta)
                row[f"{name}_acc"] = greedy_accuracy(st, test_p, test_a)
                row[f"{name}_kl"] = kl_to(teacher, st, test_p, test_a)
                row[f"{name}_gain"] = row[f"{name}_acc"] - row["base_acc"]
            row["s"] = round(time.time() - t1, 1)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {"teacher": tinfo, "rows": rows, "total_s": round(time.time() - t0, 1), "args": vars(args)}


CHANNELS = ("text", "logprobs", "text_adaptive", "logprobs_adaptive")


def summarise(res: dict[str, Any]) -> list[dict[str, Any]]:
    rows = res["rows"]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["defence"], r["strength"]), []).append(r)
    clean = {r["seed"]: r for r in groups[("none", "-")]}
    out = []
    for (name, strength), rs in groups.items():
        s: dict[str, Any] = {"defence": name, "strength": strength, "n_seeds": len(rs)}
        s["teacher_acc"] = interval([100 * r["teacher_acc"] for r in rs])
        s["teacher_acc_cost"] = interval([100 * (clean[r["seed"]]["teacher_acc"] - r["teacher_acc"]) for r in rs])
        s["teacher_kl"] = interval([r["teacher_kl"] for r in rs])
        for c in CHANNELS:
            s[f"{c}_acc"] = interval([100 * r[f"{c}_acc"] for r in rs])
            s[f"{c}_kl"] = interval([r[f"{c}_kl"] for r in rs])
            # points of the clean student's gain (same seed, same channel) that the defence took away
            s[f"{c}_loss"] = interval([100 * (clean[r["seed"]][f"{c}_gain"] - r[f"{c}_gain"]) for r in rs])
        cheap = s["teacher_acc_cost"][0] <= 1.0 or s["teacher_kl"][0] <= 0.05
        s["meets_goal"] = {ch: bool(cheap and s[f"{ch}_loss"][0] >= 10 and s[f"{ch}_adaptive_loss"][0] >= 5)
                           for ch in ("text", "logprobs")}
        out.append(s)
    return out


def fmt(x: tuple[float, float], d: int = 1) -> str:
    m, h = x
    return f"{m:.{d}f}" if math.isnan(h) else f"{m:.{d}f}±{h:.{d}f}"


def table(summary: list[dict[str, Any]]) -> str:
    head = ("defence", "strength", "teacher acc", "acc cost", "KL nats/tok", "text acc", "text loss",
            "text adapt loss", "logprob acc", "logprob loss", "logprob adapt loss", "student KL (lp)", "goal")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for s in summary:
        goal = ",".join(k for k, v in s["meets_goal"].items() if v) or "-"
        lines.append(" | ".join([
            s["defence"], s["strength"], fmt(s["teacher_acc"]), fmt(s["teacher_acc_cost"]), fmt(s["teacher_kl"], 3),
            fmt(s["text_acc"]), fmt(s["text_loss"]), fmt(s["text_adaptive_loss"]), fmt(s["logprobs_acc"]),
            fmt(s["logprobs_loss"]), fmt(s["logprobs_adaptive_loss"]), fmt(s["logprobs_kl"], 3), goal]))
    return "\n".join(lines)


def plot(summary: list[dict[str, Any]], path: str) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("text-distilled student", "logprob-distilled student"))
    names = sorted({s["defence"] for s in summary})
    for col, ch in ((1, "text"), (2, "logprobs")):
        for n in names:
            ss = [s for s in summary if s["defence"] == n]
            for adaptive in (False, True):
                key = f"{ch}_adaptive_loss" if adaptive else f"{ch}_loss"
                fig.add_trace(go.Scatter(
                    x=[s["teacher_acc_cost"][0] for s in ss], y=[s[key][0] for s in ss],
                    error_x={"array": [0 if math.isnan(s["teacher_acc_cost"][1]) else s["teacher_acc_cost"][1]
                                       for s in ss]},
                    error_y={"array": [0 if math.isnan(s[key][1]) else s[key][1] for s in ss]},
                    text=[s["strength"] for s in ss], mode="markers+lines",
                    line={"dash": "dot" if adaptive else "solid"},
                    name=f"{n}{' (adaptive attacker)' if adaptive else ''}", legendgroup=n,
                    showlegend=col == 1), row=1, col=col)
        fig.add_shape(type="rect", x0=-100, x1=1, y0=10, y1=100, opacity=0.08, fillcolor="green", line_width=0,
                      row=1, col=col)
        fig.update_xaxes(title_text="teacher accuracy cost (points)", row=1, col=col)
        fig.update_yaxes(title_text="student's distillation gain lost (points)", row=1, col=col)
    fig.update_layout(title="Output defences: cost to the teacher vs what they take from a distilled student "
                            "(green: the goal region)", height=600, width=1300)
    if path.endswith(".png"):
        fig.write_image(path)
    else:
        fig.write_html(path, include_plotlyjs=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=("cipher", "add"), default="cipher")
    ap.add_argument("--size", type=int, default=6, help="cipher: digits per string; add: digits per operand")
    ap.add_argument("--teacher-d", type=int, default=64)
    ap.add_argument("--teacher-layers", type=int, default=2)
    ap.add_argument("--teacher-steps", type=int, default=400)
    ap.add_argument("--student-d", type=int, default=32)
    ap.add_argument("--student-layers", type=int, default=2)
    ap.add_argument("--student-steps", type=int, default=80)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--queries", type=int, default=500, help="prompts the attacker sends (x3 for the adaptive)")
    ap.add_argument("--test", type=int, default=300)
    ap.add_argument("--k", type=int, default=5, help="top logprobs served per token")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--temperatures", type=float, nargs="*", default=[1.5, 2.0, 3.0])
    ap.add_argument("--noises", type=float, nargs="*", default=[1.0, 2.0, 4.0])
    ap.add_argument("--kgw-deltas", type=float, nargs="*", default=[1.0, 2.0, 4.0])
    ap.add_argument("--synthid-depths", type=int, nargs="*", default=[2, 10, 30])
    ap.add_argument("--ads-lambdas", type=float, nargs="*", default=[0.1, 0.3, 1.0])
    ap.add_argument("--ads-eps", type=float, default=1e-2)
    ap.add_argument("--fingerprint-biases", type=float, nargs="*", default=[1.0, 2.0, 4.0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="one strength per defence, one seed, small students")
    ap.add_argument("--out", default="antidistill.html", help="plot: .html (self-contained) or .png")
    ap.add_argument("--json", default=None, help="also write all rows and the summary here")
    ap.add_argument("--costs-out", default=None, help="write the one-line measured cost of each defence (the "
                    "gateway's --help shows src/distillscope/gateway/data/defence_costs.json)")
    args = ap.parse_args()
    if args.quick:
        args.seeds, args.queries, args.test = 1, 300, 200
        for k in ("temperatures", "noises", "kgw_deltas", "synthid_depths", "ads_lambdas", "fingerprint_biases"):
            setattr(args, k, getattr(args, k)[-1:])
    res = run(args)
    summary = summarise(res)
    print(table(summary))
    met = [(s["defence"], s["strength"], ch) for s in summary for ch, v in s["meets_goal"].items() if v]
    print("goal met by:", met or "none", f"| total {res['total_s']} s", flush=True)
    if args.out:
        plot(summary, args.out)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({**res, "summary": summary}, f, indent=1)
    if args.costs_out:
        with open(args.costs_out, "w") as f:
            json.dump(cost_lines(summary, args), f, indent=1)


def cost_lines(summary: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, str]:
    """Per defence, its measured cost at each strength, in one line for the gateway's --help."""
    out: dict[str, str] = {}
    for s in summary:
        if s["defence"] == "none":
            continue
        part = (f"{s['strength']}: teacher -{s['teacher_acc_cost'][0]:.1f} pts, {s['teacher_kl'][0]:.3f} nats/tok;"
                f" student gain lost text {s['text_loss'][0]:.0f} (adaptive {s['text_adaptive_loss'][0]:.0f}),"
                f" logprobs {s['logprobs_loss'][0]:.0f} (adaptive {s['logprobs_adaptive_loss'][0]:.0f}) pts")
        out[s["defence"]] = (out[s["defence"]] + "; " + part) if s["defence"] in out else part
    src = (f"Measured by bench/antidistill.py ({args.task} task, tiny GPT-2 teacher and students, {args.seeds} "
           "seeds)")
    return {k: f"{src}: {v}." for k, v in out.items()}


if __name__ == "__main__":
    main()
