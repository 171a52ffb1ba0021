"""The Label Studio labeling config (``<View>`` XML) for a schema, written beside the tasks.

A Label Studio user pastes it into a new project (Settings -> Labeling Interface -> Code)
and imports the tasks file: every region in the tasks names a control here (``from_name``)
and every choice value is one of its ``<Choice>`` values. The schema decides everything:

- single and scale tasks: ``<Choices choice="single">``; multi: ``choice="multiple"``;
- span tasks: ``<Labels>`` with the task's labels, or one label named after the task (as the
  tasks file writes an unlabelled span);
- stance tasks: one ``<Choices>`` per target, named ``TASK.TARGET``, values favor / against /
  neutral;
- text tasks: ``<TextArea>``;
- ``show_if`` on a single parent becomes ``visibleWhen="choice-selected"``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

from annotator.schema.model import STANCE_VALUES, Schema, Task


def config_path(target: Path) -> Path:
    """``ls.json`` -> ``ls.labeling-config.xml`` (beside the tasks)."""
    stem = target.name[: -len(".json")] if target.name.endswith(".json") else target.name
    return target.with_name(stem + ".labeling-config.xml")


def _attrs(**items: str | None) -> str:
    return "".join(f" {k.replace('_', '')}={quoteattr(v)}" for k, v in items.items() if v)


def _when(task: Task) -> dict[str, str]:
    """Label Studio shows a control on one condition: the one parent's chosen values."""
    if len(task.show_if) != 1:
        return {}
    ((parent, values),) = task.show_if.items()
    return {
        "visibleWhen": "choice-selected",
        "whenTagName": parent,
        "whenChoiceValue": ",".join(values),
    }


def _choices(name: str, prompt: str, values: list[tuple[str, str]], multiple: bool, when) -> list:
    lines = [f"  <Header value={quoteattr(prompt or name)}/>"] if prompt else []
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in when.items())
    lines.append(
        f'  <Choices name={quoteattr(name)} toName="text" '
        f'choice="{"multiple" if multiple else "single"}" showInline="true"{attrs}>'
    )
    for value, hint in values:
        lines.append(f"    <Choice value={quoteattr(value)}{_attrs(hint=hint)}/>")
    lines.append("  </Choices>")
    return lines


Labels = list[tuple[str, str]]  # (value, hint) of each of a task's labels
When = dict[str, str]


def _choice_control(task: Task, labels: Labels, when: When, schema: Schema) -> list[str]:
    return _choices(task.name, task.prompt, labels, task.type == "multi", when)


def _stance_controls(task: Task, labels: Labels, when: When, schema: Schema) -> list[str]:
    out: list[str] = []
    for target in schema.targets:
        out += _choices(
            f"{task.name}.{target}",
            f"{task.prompt} {target}".strip(),
            [(v, "") for v in STANCE_VALUES],
            False,
            when,
        )
    return out


def _labels_control(task: Task, labels: Labels, when: When, schema: Schema) -> list[str]:
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in when.items())
    out = [f"  <Header value={quoteattr(task.prompt)}/>"] if task.prompt else []
    out.append(f'  <Labels name={quoteattr(task.name)} toName="text"{attrs}>')
    for value, hint in labels or [(task.name, "")]:
        out.append(f"    <Label value={quoteattr(value)}{_attrs(hint=hint)}/>")
    out.append("  </Labels>")
    return out


def _textarea_control(task: Task, labels: Labels, when: When, schema: Schema) -> list[str]:
    out = [f"  <Header value={quoteattr(task.prompt)}/>"] if task.prompt else []
    out.append(f'  <TextArea name={quoteattr(task.name)} toName="text" rows="2"/>')
    return out


# The control each task kind becomes (tests/test_kinds_registry.py keeps it whole).
CONTROLS: dict[str, Callable[[Task, Labels, When, Schema], list[str]]] = {
    "single": _choice_control,
    "multi": _choice_control,
    "scale": _choice_control,
    "span": _labels_control,
    "stance": _stance_controls,
    "text": _textarea_control,
}


def labeling_config(schema: Schema, task_names: list[str]) -> str:
    """The ``<View>`` for the selected tasks of `schema`."""
    out = ["<View>", '  <Text name="text" value="$text"/>']
    for task in schema.tasks:
        if task.name not in task_names:
            continue
        labels = [(lab.value, " · ".join(x for x in (lab.text, lab.description) if x))
                  for lab in task.labels]  # fmt: skip
        out += CONTROLS[task.type](task, labels, _when(task), schema)
    out.append("</View>")
    return "\n".join(out) + "\n"
