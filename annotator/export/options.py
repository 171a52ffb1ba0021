"""What to export: the filters and choices every format shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from annotator.errors import UserError

SPLIT_NAMES = {1: ("train",), 2: ("train", "test"), 3: ("train", "validation", "test")}


@dataclass
class ExportOptions:
    annotators: frozenset[str] | None = None  # None: everyone
    tasks: tuple[str, ...] | None = None  # None: every task of the schema
    status: str = "done"  # done | all
    since: datetime | None = None  # annotations updated at or after this instant
    gold: bool = False
    gold_method: str = "majority"  # majority | dawid-skene | adjudicated-only
    split: tuple[float, ...] | None = None  # fractions summing to 1, train/validation/test
    seed: int = 0
    include_unannotated: bool = False  # --all: units nobody annotated too
    card: bool = False
    excel_safe: bool = False
    command: str = ""  # the exact command line, for the dataset card
    license: str | None = None  # for the dataset card (e.g. CC-BY-4.0); unknown otherwise
    extra: dict[str, str] = field(default_factory=dict)


def parse_split(text: str) -> tuple[float, ...]:
    """'80/10/10' -> (0.8, 0.1, 0.1): train/validation/test; two parts are train/test."""
    parts = [p.strip() for p in text.replace(",", "/").split("/")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise UserError(f"--split {text}: give numbers like 80/10/10") from None
    if not 1 <= len(numbers) <= 3 or any(n < 0 for n in numbers) or sum(numbers) <= 0:
        raise UserError(f"--split {text}: give one to three non-negative parts, like 80/10/10")
    total = sum(numbers)
    return tuple(n / total for n in numbers)


def parse_since(text: str) -> datetime:
    """An ISO date or date-time; naive values are taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"--since {text}: not an ISO date (try 2024-05-01 or 2024-05-01T12:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_list(values: list[str] | None) -> tuple[str, ...] | None:
    """Repeatable options that also take comma-separated lists."""
    if not values:
        return None
    out = [v.strip() for item in values for v in item.split(",") if v.strip()]
    return tuple(dict.fromkeys(out)) or None
