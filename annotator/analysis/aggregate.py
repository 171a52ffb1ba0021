"""Gold labels from several annotators: an adjudicated value wins, else the majority vote.

Pure functions on plain data (task types as strings, values as stored), so the exporters,
the agreement report and tests share one definition of "gold".

Votes by task type:
- ``single``/``scale``: the most frequent value; a tie between the top values is marked and
  gives no value.
- ``multi``: each label is kept when more than half the annotators chose it; a label chosen by
  exactly half marks a tie (the strict-majority labels are still the value).
- ``span``: the same per token (and span label): token indices chosen by more than half.
- ``stance``: a majority vote per target.
- ``text``: free text has no vote; only an adjudicated value gives gold.

Tasks with ``show_if`` follow the schema: only the annotators whose own values showed the
task vote on it (for a span task, one who saw it and marked nothing votes "nothing"), and
when the gold of its parents does not show it, its gold is empty with the source
``not_shown``, even over an adjudicated value (the lead's later decision on the parent hid it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from annotator.schema.values import given
from annotator.schema.visibility import ShowIf, parents_first, shown, visible_tasks

ADJUDICATED, UNANIMOUS, MAJORITY, TIE, NONE = "adjudicated", "unanimous", "majority", "tie", "none"
NOT_SHOWN = "not_shown"  # the parents' gold does not show the task: no gold by the schema
CHECK = "check"  # a check item's known answer (exports mark the gold of check units so)
# How gold is formed where no adjudication decides (adjudications always win):
MAJORITY_METHOD, DAWID_SKENE, ADJUDICATED_ONLY = "majority", "dawid-skene", "adjudicated-only"
MACE = "mace"
MODEL_METHODS = (DAWID_SKENE, MACE)  # learn annotators and units together, with a posterior
GOLD_METHODS = (MAJORITY_METHOD, DAWID_SKENE, MACE, ADJUDICATED_ONLY)


@dataclass(frozen=True)
class Gold:
    value: Any  # None when there is no gold (a tie on a single value, or no votes)
    source: str  # adjudicated | unanimous | majority | tie | none | not_shown (| check)
    votes: int = 0  # annotators who gave a value for the task
    posterior: float | None = None  # a model's probability for the value (Dawid-Skene)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def vote_single(values: list[Any]) -> Gold:
    if not values:
        return Gold(None, NONE, 0)
    counts = Counter(_hashable(v) for v in values)
    ranked = counts.most_common()
    top, n = ranked[0]
    if len(ranked) > 1 and ranked[1][1] == n:
        return Gold(None, TIE, len(values))
    value = next(v for v in values if _hashable(v) == top)
    return Gold(value, UNANIMOUS if len(ranked) == 1 else MAJORITY, len(values))


def _vote_members(sets: list[set[Any]]) -> tuple[list[Any], bool]:
    """Members chosen by more than half the voters, and whether any sits at exactly half."""
    counts: Counter[Any] = Counter()
    for s in sets:
        counts.update(s)
    n = len(sets)
    kept = [m for m, c in counts.items() if 2 * c > n]
    tie = any(2 * c == n for c in counts.values())
    return kept, tie


def _source(kept: Any, tie: bool, unanimous: bool) -> str:
    if tie:
        return TIE
    return UNANIMOUS if unanimous else MAJORITY


def vote_multi(values: list[Any]) -> Gold:
    sets = [set(v) if isinstance(v, list) else {v} for v in values]
    if not sets:
        return Gold(None, NONE, 0)
    kept, tie = _vote_members(sets)
    unanimous = all(s == sets[0] for s in sets)
    return Gold(sorted(kept, key=str), _source(kept, tie, unanimous), len(sets))


def span_members(value: Any) -> set[tuple[int, str | None]]:
    """(token index, label) pairs covered by a stored span value.

    The annotate screen stores a list of ``{"token_start", "token_end", "start", "end",
    "text"}`` dicts (token end exclusive; ``start``/``end`` are character offsets), optionally
    with a ``label``. Also accepted: ``{"tokens": [...]}`` dicts, plain token indices and
    ``[token_start, token_end]`` pairs.
    """
    members: set[tuple[int, str | None]] = set()
    if not isinstance(value, list):
        return members
    for item in value:
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            members.add((item, None))
        elif isinstance(item, dict):
            label = item.get("label") if isinstance(item.get("label"), str) else None
            if isinstance(item.get("tokens"), list):
                members.update((t, label) for t in item["tokens"] if isinstance(t, int))
            else:
                start, end = item.get("token_start"), item.get("token_end")
                if isinstance(start, int) and isinstance(end, int):
                    members.update((t, label) for t in range(start, end))
        elif (
            isinstance(item, list | tuple)
            and len(item) == 2
            and all(isinstance(t, int) for t in item)
        ):
            members.update((t, None) for t in range(item[0], item[1]))
    return members


def spans_from_members(members: Iterable[tuple[int, str | None]]) -> list[dict[str, Any]]:
    """Contiguous runs as ``{"token_start", "token_end"}`` dicts (end exclusive), with a
    ``label`` where the voted spans carried one."""
    ordered = sorted(set(members), key=lambda m: (m[1] or "", m[0]))
    spans: list[dict[str, Any]] = []
    for t, label in ordered:
        last = spans[-1] if spans else None
        if last is not None and last.get("label") == label and last["token_end"] == t:
            last["token_end"] = t + 1
        else:
            span: dict[str, Any] = {"token_start": t, "token_end": t + 1}
            if label is not None:
                span["label"] = label
            spans.append(span)
    return sorted(spans, key=lambda s: (s["token_start"], s.get("label") or ""))


def vote_span(values: list[Any]) -> Gold:
    if not values:
        return Gold(None, NONE, 0)
    sets = [span_members(v) for v in values]
    kept, tie = _vote_members(sets)
    unanimous = all(s == sets[0] for s in sets)
    return Gold(spans_from_members(kept), _source(kept, tie, unanimous), len(sets))


def vote_stance(values: list[Any]) -> Gold:
    maps = [v for v in values if isinstance(v, dict)]
    if not maps:
        return Gold(None, NONE, 0)
    targets = sorted({t for m in maps for t in m})
    out: dict[str, Any] = {}
    sources = set()
    for target in targets:
        g = vote_single([m[target] for m in maps if given(m.get(target))])
        sources.add(g.source)
        if g.value is not None:
            out[target] = g.value
    source = TIE if TIE in sources else MAJORITY if MAJORITY in sources else UNANIMOUS
    return Gold(out, source, len(maps))


def no_vote(values: list[Any]) -> Gold:
    """Free text: there is nothing to vote on."""
    return Gold(None, NONE, len(values))


# Kind -> its vote; exhaustive over schema.kinds.KINDS (tests/test_kinds_registry.py).
VOTERS = {
    "single": vote_single,
    "scale": vote_single,
    "multi": vote_multi,
    "span": vote_span,
    "stance": vote_stance,
    "text": no_vote,
}


def gold_for_task(
    task_type: str, values: list[Any], adjudicated: Any = None, *, has_adjudication: bool = False
) -> Gold:
    """Gold for one unit and task from the values annotators gave (unused values ignored)."""
    used = [v for v in values if given(v)]
    if has_adjudication:
        return Gold(adjudicated, ADJUDICATED, len(used))
    return VOTERS[task_type](used)


def gold_for_unit(
    task_types: Mapping[str, str],
    annotations: Iterable[Mapping[str, Any]],
    adjudications: Mapping[str, Any] | None = None,
    *,
    statuses: tuple[str, ...] = ("done",),
    show_if: ShowIf | None = None,
    method: str = MAJORITY_METHOD,
    estimates: Mapping[str, Gold] | None = None,
) -> dict[str, Gold]:
    """Gold per task for one unit.

    `annotations` are dicts with ``values`` ({task: value}) and ``status``; only those with a
    status in `statuses` vote. `adjudications` maps task -> final value and wins over votes.
    `show_if` (task -> {parent: accepted values}, see ``schema.visibility``) makes the gold
    obey the schema; every parent it names must be in `task_types` (``with_parents``).
    `method` ``adjudicated-only`` gives no gold without an adjudication; `estimates` are a
    model's golds for this unit by task (Dawid-Skene), used instead of the vote.
    """
    adjudications = adjudications or {}
    voting = [a.get("values") or {} for a in annotations if a.get("status", "done") in statuses]
    show_if = show_if or {}
    order = list(task_types)
    if any(show_if.get(t) for t in order):
        missing = {p for t in order for p in show_if.get(t, {})} - set(order)
        if missing:
            raise ValueError(f"gold needs the parent tasks {sorted(missing)} in task_types")
        order = parents_first(order, show_if)
        seen_by = [visible_tasks(order, show_if, v) for v in voting]
    out: dict[str, Gold] = {}
    for task in order:
        task_type = task_types[task]
        conditions = show_if.get(task)
        voters = voting
        if conditions:
            parents = {p: out[p].value for p in conditions}
            if not shown(conditions, parents):
                out[task] = Gold(None, NOT_SHOWN, 0)
                continue
            voters = [v for v, seen in zip(voting, seen_by, strict=True) if task in seen]
        values = [v.get(task) for v in voters]
        if task not in adjudications:
            if method == ADJUDICATED_ONLY:
                out[task] = Gold(None, NONE, sum(1 for v in values if given(v)))
                continue
            if estimates and task in estimates:
                out[task] = estimates[task]
                continue
        if task_type == "span" and task not in adjudications:
            # Seeing a span task and marking nothing is an answer: it votes for no tokens.
            out[task] = vote_span([v if given(v) else [] for v in values])
            continue
        out[task] = gold_for_task(
            task_type, values, adjudications.get(task), has_adjudication=task in adjudications
        )
    return {t: out[t] for t in task_types}
