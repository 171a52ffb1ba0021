"""Problems found in a schema file, each pointing at a line and column."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.errors import AnnotatorError


@dataclass(frozen=True, order=True)
class Problem:
    source: str
    line: int  # 1-based
    col: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.col}: {self.message}"


class SchemaError(AnnotatorError):
    """A schema that cannot be used. ``str()`` is one ``FILE:LINE:COL: what`` line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
