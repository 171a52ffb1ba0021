"""`annotator labels import`, kept importable here; the code lives in `annotator.labels`."""

from annotator.labels import (
    BadRecord,
    Columns,
    ImportReport,
    LabelRecord,
    babe_columns,
    check_values,
    import_labels,
    read_records,
)

__all__ = [
    "BadRecord",
    "Columns",
    "ImportReport",
    "LabelRecord",
    "babe_columns",
    "check_values",
    "import_labels",
    "read_records",
]
