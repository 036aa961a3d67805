"""``distillscope distill``, ``distillscope provenance show|verify``.

Examples::

    distillscope distill --teacher zoo:smollm2-135m-instruct --student-config tiny --method logits --out st-logits
    distillscope distill --teacher openai:gpt-4o-mini@https://api.example/v1 --student hf:./st --method sequences \
        --prompts prompts.txt --out st-seq
    distillscope provenance verify st-logits
"""

from __future__ import annotations

from pathlib import Path

import typer

from distillscope.cli._common import console, print_json


def register(app: typer.Typer) -> None:
    @app.command()
    def distill(
        teacher: str = typer.Option(..., "--teacher", "-t", help="Teacher spec (zoo:/hf: for logits; any for sequences)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder for the student and provenance.json."),
        method: str = typer.Option("logits", help="logits (teacher top-k logits, cached) | sequences (teacher "
                                   "answers) | text (control: same text, no teacher)."),
        student: str | None = typer.Option(None, help="Start from this checkpoint (hf:PATH or zoo:NAME)."),
        student_config: str = typer.Option("tiny", help="Fresh student size sharing the teacher's tokenizer: "
                                           "tiny (2 layers, d=128) | small (4, 256) | base (6, 384)."),
        data: Path | None = typer.Option(None, help="Training text (.txt paragraphs or .jsonl 'text'); default: "
                                          "the built-in corpus."),
        prompts: Path | None = typer.Option(None, help="Prompts (.txt lines or .jsonl 'prompt') for sequences; "
                                            "default: the built-in prompt set."),
        n_data: int | None = typer.Option(None, min=1, help="Use at most this many texts / prompts."),
        steps: int = typer.Option(300, min=1, help="Optimizer steps."),
        batch_size: int = typer.Option(8, min=1, help="Sequences per step."),
        lr: float = typer.Option(3e-3, help="Peak learning rate (AdamW, cosine schedule with warmup)."),
        max_len: int = typer.Option(128, min=8, help="Tokens per training sequence."),
        k: int = typer.Option(20, min=1, help="Teacher log-probs kept per position in the logit cache."),
        loss: str = typer.Option("forward", help="Divergence: forward (KL(T||S)) | reverse (KL(S||T)) | jsd."),
        beta: float = typer.Option(0.5, min=0.0, max=1.0, help="JSD weight: 0 = forward KL, 1 = reverse KL."),
        temperature: float = typer.Option(1.0, min=0.01, help="Distillation temperature (loss scaled by T^2)."),
        alpha: float = typer.Option(0.9, min=0.0, max=1.0, help="Weight of the distillation term vs hard-label CE."),
        answer_tokens: int = typer.Option(64, min=1, help="Max tokens of each teacher answer (sequences)."),
        answer_temperature: float = typer.Option(0.7, min=0.0, help="Sampling temperature of teacher answers."),
        seed: int = typer.Option(0, help="Seed of student init, data order and teacher sampling."),
        checkpoint_every: int = typer.Option(100, min=1, help="Checkpoint every N steps (resume after interruption)."),
        resume: bool = typer.Option(True, help="Resume from OUT/checkpoint when present."),
        store: Path | None = typer.Option(None, help="Sample store for teacher answers (default $DISTILLSCOPE_STORE)."),
        as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON on stdout."),
    ) -> None:
        """Distill a teacher into a student; writes the student (save_pretrained) and provenance.json to OUT.

        The student loads afterwards as hf:OUT. Interrupted runs resume from OUT/checkpoint; the teacher's logits
        and answers are cached, so a rerun does not query the teacher again.
        """
        from distillscope.distill.run import DistillConfig, run_distill
        from distillscope.distill.train import TrainConfig

        cfg = DistillConfig(
            teacher=teacher, out=str(out), method=method, student=student,
            student_config=None if student else student_config, data=str(data) if data else None,
            prompts=str(prompts) if prompts else None, n_data=n_data, max_len=max_len, k=k,
            answer_tokens=answer_tokens, answer_temperature=answer_temperature, seed=seed, resume=resume,
            train=TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, checkpoint_every=checkpoint_every,
                              kind=loss, beta=beta, temperature=temperature, alpha=alpha),
        )
        st = None
        if store is not None:
            from distillscope.store import SampleStore

            st = SampleStore(store)
        summary = run_distill(cfg, show_progress=not as_json, store=st)
        if as_json:
            print_json(summary)
        else:
            ho = summary.get("heldout") or {}
            kl = f", held-out KL to teacher {ho['kl']:.4f} nats/token" if ho.get("kl") is not None else ""
            console.print(f"student -> {out} ({summary['steps']} steps, {summary['tokens_per_s']:.0f} tok/s{kl}); "
                          f"load it as hf:{out}")

    prov = typer.Typer(help="Provenance manifests written next to distilled students.", no_args_is_help=True)

    @prov.command("show")
    def show(
        folder: Path = typer.Argument(..., help="A student folder (or its provenance.json)."),
        as_json: bool = typer.Option(False, "--json", help="Print the manifest as JSON."),
    ) -> None:
        """Show where a model came from: teacher, data, method, hyperparameters, code version."""
        from distillscope.distill.provenance import read_manifest

        m = read_manifest(folder)
        if as_json:
            print_json(m)
            return
        from rich.table import Table

        t = Table(title=f"provenance of {folder}", show_header=False)
        teacher = m.get("teacher") or {}
        data = m.get("data") or {}
        rows = [
            ("method", m.get("method")),
            ("teacher", f"{teacher.get('spec')}  weights {str(teacher.get('weights_sha256'))[:16]}"),
            ("parents", ", ".join(p.get("spec", "?") for p in m.get("parents", [])) or "-"),
            ("data", (f"{data.get('source')}  {data.get('n_sequences')} seqs, {data.get('n_target_tokens')} "
                      f"target tokens, sha256 {str(data.get('sha256'))[:16]}")),
            ("student", f"weights {m['student']['weights_sha256'][:16]}  {m['student'].get('architecture')}"),
            ("hyperparameters", ", ".join(f"{k}={v}" for k, v in (m.get("hyperparameters") or {}).items()
                                          if k != "extra")),
            ("code", f"{m['code'].get('distillscope')} {m['code'].get('git_commit') or ''}"),
            ("time", f"{m.get('started')} -> {m.get('finished')}"),
        ]
        for k_, v in rows:
            t.add_row(k_, str(v))
        console.print(t)

    @prov.command("verify")
    def verify(
        folder: Path = typer.Argument(..., help="A student folder with provenance.json."),
        check_teacher: bool = typer.Option(False, help="Also load the teacher and recompute its weight hash."),
        as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    ) -> None:
        """Recompute file and weight hashes and compare with the manifest. Exit code 1 if anything differs."""
        from distillscope.distill.provenance import verify_manifest

        res = verify_manifest(folder, check_teacher=check_teacher)
        if as_json:
            print_json(res)
        else:
            for c in res["checks"]:
                mark = "[green]ok[/]" if c["ok"] else "[red]FAIL[/]"
                console.print(f"{mark}  {c['check']}: {c['detail']}")
            console.print("[bold green]verified[/]" if res["ok"] else "[bold red]verification failed[/]")
        if not res["ok"]:
            raise typer.Exit(1)

    app.add_typer(prov, name="provenance")
