"""Watermark configuration: one secret key per deployment, turned into the keys transformers' processors take.

A :class:`WatermarkConfig` is all a provider keeps to watermark at generation time and to detect later. The secret
never leaves it: logs and reports carry only :attr:`WatermarkConfig.key_id`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from distillscope.errors import InputError
from distillscope.registry import registry


def _derive(secret: str, label: str, bits: int = 62) -> int:
    h = hashlib.sha256(f"distillscope-watermark:{label}:{secret}".encode()).digest()
    return int.from_bytes(h[:8], "little") & ((1 << bits) - 1)


class WatermarkConfig(BaseModel):
    """Watermark scheme and its parameters (same object for generation and detection).

    Attributes:
        scheme: a registered watermark scheme: ``"kgw"`` (Kirchenbauer et al. green/red lists), ``"synthid"``
            (SynthID-Text tournament), or any scheme added with ``registry("watermark_scheme").register``.
        key: the deployment's secret; any string. All scheme keys are derived from it.
        gamma: KGW green-list fraction.
        delta: KGW bias added to green logits.
        seeding_scheme: KGW ``lefthash`` (green list from the previous token) or ``selfhash``.
        context_width: KGW tokens of context used by ``selfhash`` seeding.
        ngram_len: SynthID n-gram length (context of ``ngram_len - 1`` tokens).
        depth: SynthID tournament layers (number of derived keys).
        sampling_table_size: SynthID table mapping hashes to g-values.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: str = Field("kgw", description="a registered watermark scheme (kgw, synthid, ...)")
    key: str = Field(..., min_length=1, description="secret watermark key of this deployment")
    gamma: float = Field(0.25, gt=0.0, lt=1.0, description="KGW green-list fraction")
    delta: float = Field(2.0, ge=0.0, le=20.0, description="KGW logit bias on green tokens")
    seeding_scheme: Literal["lefthash", "selfhash"] = "lefthash"
    context_width: int = Field(1, ge=1, le=8)
    ngram_len: int = Field(5, ge=2, le=16, description="SynthID n-gram length")
    depth: int = Field(30, ge=1, le=64, description="SynthID tournament depth")
    sampling_table_size: int = Field(2**16, ge=1024)
    context_history_size: int = Field(1024, ge=1)

    @field_validator("scheme")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        registry("watermark_scheme").get(v)  # an error naming the registered schemes
        return v

    @model_validator(mode="after")
    def _check(self) -> WatermarkConfig:
        if self.scheme == "kgw" and self.seeding_scheme == "lefthash" and self.context_width != 1:
            # transformers' lefthash seeds from the last token only; a wider window would mislead dedup.
            raise ValueError("lefthash seeding uses exactly one token of context: set context_width=1 "
                             "or use seeding_scheme='selfhash'")
        return self

    @property
    def key_id(self) -> str:
        """Public id of this key (safe to log); changes with any parameter that changes the green lists
        or g-values."""
        # the bias (delta) and SynthID's repeated-context history change how strong the mark is, not where it is
        blob = json.dumps(self.model_dump(exclude={"delta", "context_history_size"}), sort_keys=True)
        return f"wm-{self.scheme}-{hashlib.sha256(('id:' + blob).encode()).hexdigest()[:12]}"

    @property
    def hashing_key(self) -> int:
        return _derive(self.key, "kgw")

    @property
    def synthid_keys(self) -> list[int]:
        return [_derive(self.key, f"synthid:{i}", bits=31) for i in range(self.depth)]

    @property
    def synthid_table_seed(self) -> int:
        return _derive(self.key, "synthid:table", bits=31)

    @classmethod
    def load(cls, source: str | Path | dict[str, Any]) -> WatermarkConfig:
        """From a dict, a JSON/YAML file path, or a bare secret string (KGW defaults)."""
        if isinstance(source, dict):
            data = source
        else:
            p = Path(source)
            if p.suffix.lower() in {".json", ".yaml", ".yml"}:
                if not p.exists():
                    raise InputError(f"Watermark config file {p} does not exist.")
                import yaml

                try:
                    data = yaml.safe_load(p.read_text())
                except yaml.YAMLError as e:
                    raise InputError(f"{p} is not valid JSON/YAML: {e}") from e
                if not isinstance(data, dict):
                    raise InputError(f"{p} must hold a mapping like {{scheme: kgw, key: SECRET}}.")
            else:
                data = {"key": str(source)}
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            err = e.errors()[0]
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, InputError):  # our own validators' messages already name the problem and fix
                raise InputError(str(cause)) from e
            where = ".".join(str(x) for x in err.get("loc", ()))
            raise InputError(f"Bad watermark config field {where!r}: {err.get('msg')}.") from e

    def public_dict(self) -> dict[str, Any]:
        """Parameters without the secret (for logs, reports and Evidence)."""
        d = self.model_dump(exclude={"key"})
        d["key_id"] = self.key_id
        return d
