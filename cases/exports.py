"""The administrator's case list as CSV or XLSX, for the panel's own work.

Cells are escaped against formula injection: a text cell beginning with = + - @ or a tab or
carriage return is prefixed with an apostrophe, so a spreadsheet shows it and never runs it.
Both read the cases in chunks and hold no more than a chunk: the CSV is streamed as it is
written; the XLSX is written row by row to a temporary file (xlsxwriter's constant memory
mode), which is then streamed.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO

import xlsxwriter

from cases.models import CaseState, DeathType

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# (heading, the column read for it); the rows are read as plain values, no models.
COLUMNS = [
    ("Case number", "number"),
    ("Panel reference", "legacy_reference"),
    ("Family name", "family_name"),
    ("Given names", "given_names"),
    ("Date of birth", "date_of_birth"),
    ("Date of death", "date_of_death"),
    ("Date notified", "date_notified"),
    ("Sex", "sex__label"),
    ("NHS number", "nhs_number"),
    ("Area", "area__name"),
    ("Ward", "ward__name"),
    ("Place of death", "place_of_death__label"),
    ("Expected", "death_type"),
    ("Stage", "state"),
]
# What the export reads of each case: its id (for the access log), then the columns.
FIELDS = ("pk", *(field for _, field in COLUMNS))
_LABELS = {"death_type": dict(DeathType.choices), "state": dict(CaseState.choices)}
_SHOWN = [(index, _LABELS.get(field)) for index, (_, field) in enumerate(COLUMNS, start=1)]


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_rows(cases: Iterable[tuple]) -> Iterator[list[object]]:
    """Each case's cells, from its values as `FIELDS` reads them: codes as their labels,
    nothing as blank, text made safe for a spreadsheet."""
    for values in cases:
        yield [
            safe_cell(labels[values[i]] if labels else ("" if values[i] is None else values[i]))
            for i, labels in _SHOWN
        ]


def cases_csv(cases: Iterable[tuple]) -> Iterator[str]:
    """Lines of a UTF-8 CSV with a byte-order mark, so Excel reads the names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([title for title, _ in COLUMNS])
    yield "\ufeff" + flush()
    for n, row in enumerate(export_rows(cases), start=1):
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
        if n % 500 == 0:  # a few kilobytes at a time, not a generator step per line
            yield flush()
    yield flush()


def cases_xlsx(cases: Iterable[tuple]) -> IO[bytes]:
    """The workbook in a temporary file, rewound for reading (it goes when it is closed)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Cases")
    dates = workbook.add_format({"num_format": "d mmm yyyy"})
    header = workbook.add_format({"bold": True, "bottom": 1})
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(COLUMNS) - 1, 18)
    sheet.write_row(0, 0, [title for title, _ in COLUMNS], header)
    last = 0
    for last, row in enumerate(export_rows(cases), start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(last, c, value, dates)
            else:
                sheet.write_string(last, c, str(value))
    sheet.autofilter(0, 0, max(last, 1), len(COLUMNS) - 1)
    workbook.close()
    output.seek(0)
    return output
