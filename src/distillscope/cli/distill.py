"""``distillscope distill``, ``distillscope provenance show|verify``.

Examples::

    distillscope distill --teacher zoo:smollm2-135m-instruct --student-config tiny --method logits --out st-logits
    distillscope distill --teacher openai:gpt-4o-mini@https://api.example/v1 --student hf:./st --method sequences \
        --prompts prompts.txt --out st-seq
    distillscope provenance verify st-logits
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from distillscope.cli._common import (
    ConfigFile,
    Json,
    Store,
    check_out,
    check_spec,
    console,
    emit,
    exit_for,
    open_store,
    say,
)
from distillscope.cli._config import build_config, with_config
from distillscope.distill.config import DistillConfig
from distillscope.errors import InputError


def _manifest_path_cb(folder: Path) -> Path:
    return _manifest_path(folder)


Folder = Annotated[Path, typer.Argument(help="A student folder (or its provenance.json).", callback=_manifest_path_cb)]


def register(app: typer.Typer) -> None:
    app.command("distill")(distill_cmd)
    _register_provenance(app)


@with_config(DistillConfig)
def distill_cmd(config: ConfigFile = None, store: Store = None, as_json: Json = False,
                cfg_values: dict[str, Any] | None = None) -> None:
    """Distill a teacher into a student; writes the student (save_pretrained) and provenance.json to --out.

    The student loads afterwards as hf:OUT. Interrupted runs resume from OUT/checkpoint; the teacher's logits
    and answers are cached, so a rerun does not query the teacher again. Every option can come from
    --config FILE.yaml (keys are the flag names); flags override the file. Options and files are checked before
    any model loads.
    """
    cfg = _config(cfg_values or {}, config)
    st = open_store(store) if store is not None else None
    from distillscope.distill.run import run_distill

    summary = run_distill(cfg, show_progress=not as_json, store=st)

    def human() -> None:
        ho = summary.get("heldout") or {}
        kl = f", held-out KL to teacher {ho['kl']:.4f} nats/token" if ho.get("kl") is not None else ""
        say(f"student -> {cfg.out} ({summary['steps']} steps, {summary['tokens_per_s']:.0f} tok/s{kl}); "
            f"load it as hf:{cfg.out}")

    emit(summary, as_json, human)


def _config(values: dict[str, Any], config_file: Path | None) -> Any:
    """The run's DistillConfig from flags and file, validated (specs, files, output folder) without loading models."""
    from distillscope.distill.data import read_prompts, read_texts

    cfg, given = build_config(DistillConfig, values, config_file)
    if cfg.student is not None and "student_config" not in given:
        cfg.student_config = None
    cfg.train.seed = cfg.seed
    if "warmup" not in given:  # the default warm-up never exceeds what the schedule uses
        cfg.train.warmup = min(cfg.train.warmup, cfg.train.steps // 2)
    elif cfg.train.warmup > cfg.train.steps:
        raise InputError(f"--warmup {cfg.train.warmup} exceeds --steps {cfg.train.steps}.")
    cfg.validate()
    check_spec(cfg.teacher)
    if cfg.student is not None:
        check_spec(cfg.student)
    check_out(Path(cfg.out), folder=True)
    if cfg.data is not None:
        read_texts(cfg.data, cfg.input_field)
    if cfg.prompts is not None:
        read_prompts(cfg.prompts, cfg.input_field)
    return cfg


def _register_provenance(app: typer.Typer) -> None:
    prov = typer.Typer(help="Provenance manifests written next to distilled students.", no_args_is_help=True)

    @prov.command("show")
    def show(folder: Folder, as_json: Json = False) -> None:
        """Show where a model came from: teacher, data, method, hyperparameters, code version."""
        from distillscope.distill.provenance import read_manifest

        m = read_manifest(folder)
        emit(m, as_json, lambda: _show_manifest(folder, m))

    @prov.command("verify")
    def verify(
        folder: Folder,
        check_teacher: Annotated[bool, typer.Option(help="Also load the teacher and recompute its weight hash.")]
        = False,
        as_json: Json = False,
    ) -> None:
        """Recompute file and weight hashes and compare them with the manifest.

        Exit code 0 = every hash matches, 1 = something differs (the files are not what the manifest recorded),
        2 = usage/input error.
        """
        from distillscope.distill.provenance import verify_manifest

        res = verify_manifest(folder, check_teacher=check_teacher)

        def human() -> None:
            for c in res["checks"]:
                say(f"{'ok  ' if c['ok'] else 'FAIL'}  {c['check']}: {c['detail']}", style=None if c["ok"] else "red")
            say("verified" if res["ok"] else "verification failed", style="bold green" if res["ok"] else "bold red")

        emit(res, as_json, human)
        exit_for(not res["ok"])

    app.add_typer(prov, name="provenance")


def _manifest_path(folder: Path) -> Path:
    """The argument if it is a student folder with provenance.json (or that file)."""
    p = folder / "provenance.json" if folder.is_dir() else folder
    if not p.is_file():
        raise InputError(f"{folder}: no provenance.json there; give a folder written by `distillscope distill`.")
    return folder


def _show_manifest(folder: Path, m: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=escape(f"provenance of {folder}"), show_header=False)
    teacher = m.get("teacher") or {}
    data = m.get("data") or {}
    student = m.get("student") or {}
    code = m.get("code") or {}
    rows = [
        ("method", m.get("method")),
        ("teacher", f"{teacher.get('spec')}  weights {str(teacher.get('weights_sha256'))[:16]}"),
        ("parents", ", ".join(p.get("spec", "?") for p in m.get("parents", [])) or "-"),
        ("data", (f"{data.get('source')}  {data.get('n_sequences')} seqs, {data.get('n_target_tokens')} "
                  f"target tokens, sha256 {str(data.get('sha256'))[:16]}")),
        ("student", f"weights {str(student.get('weights_sha256'))[:16]}  {student.get('architecture')}"),
        ("hyperparameters", ", ".join(f"{k}={v}" for k, v in (m.get("hyperparameters") or {}).items()
                                      if k != "extra")),
        ("code", f"{code.get('distillscope')} {code.get('git_commit') or ''}"),
        ("time", f"{m.get('started')} -> {m.get('finished')}"),
    ]
    for k_, v in rows:
        t.add_row(k_, escape(str(v)))
    console.print(t)
