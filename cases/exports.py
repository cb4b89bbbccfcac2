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

from cases.models import Case

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    ("Case number", lambda c: c.number),
    ("Panel reference", lambda c: c.legacy_reference),
    ("Family name", lambda c: c.family_name),
    ("Given names", lambda c: c.given_names),
    ("Date of birth", lambda c: c.date_of_birth),
    ("Date of death", lambda c: c.date_of_death),
    ("Date notified", lambda c: c.date_notified),
    ("Sex", lambda c: c.sex.label),
    ("NHS number", lambda c: c.nhs_number),
    ("Area", lambda c: c.area.name),
    ("Ward", lambda c: c.ward.name if c.ward else ""),
    ("Place of death", lambda c: c.place_of_death.label),
    ("Expected", lambda c: c.get_death_type_display()),
    ("Stage", lambda c: c.get_state_display()),
]


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_rows(cases: Iterable[Case]) -> Iterator[list[object]]:
    for case in cases:
        yield [safe_cell(get(case)) for _, get in COLUMNS]


def cases_csv(cases: Iterable[Case]) -> Iterator[str]:
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
    for row in export_rows(cases):
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
        yield flush()


def cases_xlsx(cases: Iterable[Case]) -> IO[bytes]:
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
                sheet.write_string(last, c, "" if value is None else str(value))
    sheet.autofilter(0, 0, max(last, 1), len(COLUMNS) - 1)
    workbook.close()
    output.seek(0)
    return output
