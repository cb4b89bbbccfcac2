"""The administrator's case list as CSV or XLSX, for the panel's own work.

Cells are escaped against formula injection: a text cell beginning with = + - @ or a tab or
carriage return is prefixed with an apostrophe, so a spreadsheet shows it and never runs it.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date

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


def cases_xlsx(cases: Iterable[Case]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Cases")
    dates = workbook.add_format({"num_format": "d mmm yyyy"})
    rows = list(export_rows(cases))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            else:
                sheet.write_string(r, c, "" if value is None else str(value))
    sheet.add_table(
        0,
        0,
        max(len(rows), 1),
        len(COLUMNS) - 1,
        {
            "columns": [{"header": title} for title, _ in COLUMNS],
            "name": "Cases",
            "style": "Table Style Light 1",
        },
    )
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(COLUMNS) - 1, 18)
    workbook.close()
    return output.getvalue()
