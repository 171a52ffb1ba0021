"""Gold per unit, for every export: the one place its computation is made.

`UnitGold` reads the store stream's tuples: the stream writers call it for their gold
columns, ``select.export_rows`` for the row dicts' ``gold``, the dataset card for its gold
counts and the split planner for its strata. It is ``aggregate.gold_for_unit`` over the
selected tasks and the tasks their ``show_if`` names (`done` annotations voting, adjudicated
values winning), made cheap for a million units: stored values texts are decoded once per
distinct text, and a unit's gold is computed once per distinct combination of its voters'
values texts (units with an adjudication, or under a model's estimates, are computed on their
own). Each caller hands in an `encode` that turns a unit's gold into what it writes (a JSON
fragment, CSV cells, column values), so that is cached too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.analysis.aggregate import (
    ADJUDICATED,
    CHECK,
    MAJORITY_METHOD,
    MODEL_METHODS,
    Gold,
    gold_for_unit,
)
from annotator.export.encode import Memo, dumps
from annotator.export.tokens import complete_spans
from annotator.schema.model import Schema
from annotator.schema.visibility import show_if_of, with_parents

MEMO = 50_000  # distinct texts or combinations kept before a cache is dropped

# A unit's gold: {task: value}, {task: source} over the selected tasks in schema order, and
# {task: posterior} for the single/scale tasks when the method is Dawid-Skene (else {}).
GoldEncode = Callable[[dict[str, Any], dict[str, str], dict[str, float | None]], Any]


@dataclass(frozen=True)
class GoldRules:
    """What the gold of the selected tasks depends on beyond their own votes: the tasks
    their show_if chains name (parents first, selected or not) and the conditions."""

    needed: dict[str, str]  # task -> type: the selected tasks and their parents
    show_if: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    method: str = MAJORITY_METHOD
    # Dawid-Skene or MACE: task -> unit id -> its gold, estimated over the project first.
    estimates: dict[str, dict[int, Gold]] = field(default_factory=dict)
    # Check items: unit id -> known answer. Their gold is that answer, with the source
    # ``check`` (the answers given to them are not in the stream: see store.checks).
    checks: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)

    def posterior_tasks(self, task_types: Mapping[str, str]) -> list[str]:
        """The selected tasks that get a posterior column (a model: single and scale)."""
        if self.method not in MODEL_METHODS:
            return []
        return [t for t, k in task_types.items() if k in MODEL_TYPES]

    def unit_estimates(self, unit_id: int | None) -> dict[str, Gold] | None:
        if not self.estimates or unit_id is None:
            return None
        return {t: g[unit_id] for t, g in self.estimates.items() if unit_id in g}


MODEL_TYPES = ("single", "scale")  # the task types Dawid-Skene estimates; others are voted


def gold_rules(
    schema: Schema,
    task_types: Mapping[str, str],
    method: str = MAJORITY_METHOD,
    table: Any = None,
) -> GoldRules:
    """`table` (the project's labels, ``store.labels_query.fetch_labels``) is needed for
    Dawid-Skene, which learns each annotator's confusions from every unit at once."""
    needed = with_parents(schema, task_types)
    estimates: dict[str, dict[int, Gold]] = {}
    if method in MODEL_METHODS:
        from annotator.analysis.dawid_skene import gold_for_units

        for name, kind in needed.items():
            task = schema.task(name)
            if kind in MODEL_TYPES and task is not None:
                estimates[name] = gold_for_units(table, task, method)
    return GoldRules(needed, show_if_of(schema), method, estimates)


def decoded_values(text: str | None) -> dict[str, Any]:
    values = json.loads(text) if text else {}
    return values if isinstance(values, dict) else {}


class UnitGold:
    """``gold(anns, adjudicated)`` -> `encode` of the unit's gold; `anns` are stream tuples
    (values text at 2, status at 3), `adjudicated` the unit's {task: value} or None. The
    encoded value may be shared between units: treat it as read-only."""

    def __init__(
        self,
        task_types: dict[str, str],
        encode: GoldEncode,
        rules: GoldRules | None = None,
        tokens: Callable[[tuple[Any, ...]], list[str]] | None = None,
    ) -> None:
        self.task_types = task_types
        self.encode = encode
        self.rules = rules or GoldRules(dict(task_types))
        # With `tokens` (unit tuple -> its tokens), gold spans get their characters and text.
        self.tokens = tokens
        self.span_tasks = [t for t, k in task_types.items() if k == "span"] if tokens else []
        self.posterior_tasks = self.rules.posterior_tasks(task_types)
        self._values = Memo(decoded_values)
        self._by_votes = Memo(self._compute)

    def _golds(
        self,
        texts: Iterable[str | None],
        adjudicated: dict[str, Any] | None,
        unit_id: int | None = None,
    ) -> tuple[dict[str, Any], dict[str, str], dict[str, float | None]]:
        values = self._values
        if len(values) > MEMO:
            values.clear()
        annotations = [{"values": values[t], "status": "done"} for t in texts]
        rules = self.rules
        golds = gold_for_unit(
            rules.needed,
            annotations,
            adjudicated,
            show_if=rules.show_if,
            method=rules.method,
            estimates=rules.unit_estimates(unit_id),
        )
        tasks = self.task_types
        return (
            {t: golds[t].value for t in tasks},
            {t: golds[t].source for t in tasks},
            {t: golds[t].posterior for t in self.posterior_tasks},
        )

    def _compute(self, texts: tuple[str | None, ...]) -> tuple[dict, dict, dict, Any]:
        values, sources, posteriors = self._golds(texts, None)
        return values, sources, posteriors, self.encode(values, sources, posteriors)

    def _known(
        self, anns: list[tuple[Any, ...]], unit: tuple[Any, ...] | None
    ) -> Mapping[str, Any] | None:
        """The known answer when the unit is a check item (None otherwise)."""
        checks = self.rules.checks
        if not checks:
            return None
        return checks.get(_unit_id(anns, unit))  # type: ignore[arg-type]

    def __call__(
        self,
        anns: Iterable[tuple[Any, ...]],
        adjudicated: dict[str, Any] | None,
        unit: tuple[Any, ...] | None = None,
    ) -> Any:
        """`unit` (the stream's unit tuple) is needed for span tasks' characters."""
        anns = list(anns)
        texts = tuple([a[2] for a in anns if a[3] == "done"])
        known = self._known(anns, unit)
        if known:
            adjudicated = {**(adjudicated or {}), **known}  # a check's answer decides
        if adjudicated:
            adjudicated = {t: v for t, v in adjudicated.items() if t in self.rules.needed}
        if adjudicated or self.rules.estimates:
            # A model's gold depends on who voted, not only on what: no sharing by votes.
            unit_id = anns[0][0] if anns else None
            values, sources, posteriors = self._golds(texts, adjudicated, unit_id)
            if known:
                sources = {
                    t: CHECK if t in known and s == ADJUDICATED else s for t, s in sources.items()
                }
            encoded = None
        else:
            memo = self._by_votes
            if len(memo) > MEMO:
                memo.clear()
            values, sources, posteriors, encoded = memo[texts]
        spans = [t for t in self.span_tasks if values.get(t)]
        if spans and unit is not None and self.tokens is not None:
            tokens = self.tokens(unit)
            values = {**values, **{t: complete_spans(values[t], unit[4], tokens) for t in spans}}
            encoded = None
        return self.encode(values, sources, posteriors) if encoded is None else encoded


def _unit_id(anns: list[tuple[Any, ...]], unit: tuple[Any, ...] | None) -> int | None:
    if anns:
        return anns[0][0]
    return unit[0] if unit is not None else None


def trimmed_values(task_types: dict[str, str]) -> Callable[[str | None], str]:
    """Stored values text -> the JSON text of its selected tasks only (as the row path
    writes them: keys in stored order)."""

    def trim(text: str | None) -> str:
        values = decoded_values(text)
        return dumps({k: v for k, v in values.items() if k in task_types})

    return trim
