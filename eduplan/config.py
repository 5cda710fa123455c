"""Training parameters: one frozen, validated :class:`TrainConfig`, recorded in the model card.

``eduplan train --set char_ngram_max=4`` and ``eduplan.train(config=...)``
both end here, so a parameter is defined, checked and documented once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .errors import UsageError

__all__ = ["TrainConfig"]


@dataclass(frozen=True)
class TrainConfig:
    """What a model is trained with (chosen by grouped cross-validation, see ``experiments/model_selection.md``).

    Blocks are feature blocks registered in :mod:`eduplan.features`: ``words``
    and ``chars`` read the item text, ``section`` and ``title`` its context.
    """

    blocks: tuple[str, ...] = ("words", "chars", "section", "title")
    word_ngram_min: int = 1
    word_ngram_max: int = 2
    char_ngram_min: int = 1
    char_ngram_max: int = 3
    context_ngram_max: int = 2
    section_weight: float = 0.4
    title_weight: float = 0.7
    min_df: int = 2
    sublinear_tf: bool = True
    mask_digits: bool = True
    C: float = 0.5  # noqa: N815 (scikit-learn's name)
    calibration_cv: int = 3
    taxonomy_terms: bool = True
    secondary: bool = True
    secondary_C: float = 4.0  # noqa: N815
    secondary_threshold: float = 0.35
    correction_weight: float = 10.0
    random_state: int = 0

    def __post_init__(self) -> None:
        from .features import registered_blocks

        problems = []
        unknown = [b for b in self.blocks if b not in registered_blocks()]
        if not self.blocks or unknown:
            problems.append(f"blocks must name registered blocks ({', '.join(registered_blocks())}), got {unknown or '()'}")
        for low, high in (
            ("word_ngram_min", "word_ngram_max"),
            ("char_ngram_min", "char_ngram_max"),
        ):
            if not 1 <= getattr(self, low) <= getattr(self, high) <= 6:
                problems.append(f"need 1 <= {low} <= {high} <= 6")
        if not 1 <= self.context_ngram_max <= 4:
            problems.append("context_ngram_max must be between 1 and 4")
        if self.min_df < 1:
            problems.append("min_df must be at least 1")
        if not (0 < self.section_weight <= 4 and 0 < self.title_weight <= 4):
            problems.append("section_weight and title_weight must be in (0, 4]")
        if self.C <= 0 or self.secondary_C <= 0:
            problems.append("C and secondary_C must be positive")
        if self.calibration_cv < 2:
            problems.append("calibration_cv must be at least 2")
        if self.correction_weight <= 0:
            problems.append("correction_weight must be positive")
        if not 0 < self.secondary_threshold < 1:
            problems.append("secondary_threshold must be between 0 and 1")
        if problems:
            raise UsageError("invalid training parameters: " + "; ".join(problems), option="--set")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (tuples as lists), as recorded in ``card.json``."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """A config from a card's ``params`` (unknown keys are an error)."""
        return cls().with_values(values)

    def with_values(self, values: Mapping[str, Any]) -> TrainConfig:
        """A copy with ``values`` (typed or given as strings, as on the command line) replaced."""
        kinds = {f.name: f.type for f in fields(self)}
        unknown = sorted(set(values) - set(kinds))
        if unknown:
            raise UsageError(f"unknown training parameter(s) {', '.join(unknown)} (known: {', '.join(kinds)})", option="--set")
        return replace(self, **{k: _coerce(k, kinds[k], v) for k, v in values.items()})

    def with_overrides(self, pairs: Iterable[str]) -> TrainConfig:
        """A copy with ``key=value`` strings applied (``--set char_ngram_max=4``)."""
        values: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise UsageError(f"--set takes key=value, got {pair!r}", option="--set")
            values[key.strip()] = value.strip()
        return self.with_values(values)


def _coerce(name: str, kind: str, value: Any) -> Any:
    """``value`` as the field's type; strings are parsed (``"true"``, ``"4"``, ``"words,chars"``)."""
    try:
        if kind == "bool":
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            return bool(value)
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind == "float":
            return float(value)
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return tuple(str(v) for v in value)
    except (TypeError, ValueError):
        raise UsageError(f"training parameter {name} must be a {kind}, got {value!r}", option="--set") from None
