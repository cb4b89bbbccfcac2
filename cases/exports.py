"""The administrator's case list as CSV or XLSX, for the panel's own work.

Cells are escaped against formula injection: a text cell beginning with = + - @ or a tab or
carriage return is prefixed with an apostrophe, so a spreadsheet shows it and never runs it.
Both read the cases in chunks and hold no more than a chunk: the CSV is streamed as it is
written; the XLSX is written row by row to a temporary file (xlsxwriter's constant memory
mode), which is then streamed.

A spreadsheet is a zip file, whole only when its last row is in: past a few thousand rows it
would keep the browser waiting, so a larger XLSX is written by a worker (`case_export_*`
below, the services of `CaseExport`) and downloaded from its own page when it is ready.
"""

import csv
import io
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import date, timedelta
from typing import IO

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.access_log import record_shown
from accounts.models import User
from cases.models import CaseExport, CaseExportPart, CaseState, DeathType, ExportStatus
from cases.permissions import may_record_notifications
from cases.selectors import CaseFilters, case_list_for
from core.models import AccessEvent
from core.replica import replica_alias

logger = logging.getLogger(__name__)

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


# --- Large spreadsheets, written by a worker --------------------------------------------------

MAX_ATTEMPTS = 3
# A worker that has not finished in this time was lost (Celery kills a task after 5 minutes).
LOST_AFTER = timedelta(minutes=10)
# A queued export that no worker has started in this time has lost its task: the sweep asks
# again.
UNSTARTED_AFTER = timedelta(minutes=1)
PROGRESS_EVERY = 5000  # rows between two updates of the progress page
PART_BYTES = 2**20


def written_in_background(file_format: str, rows: int) -> bool:
    """Whether an export of `rows` rows is written by a worker rather than while the browser
    waits (a CSV streams however long it is)."""
    return file_format == "xlsx" and rows > settings.CASE_EXPORT_DIRECT_ROWS


def export_expires_at(export: CaseExport):
    return export.finished_at + timedelta(hours=settings.CASE_EXPORT_KEEP_HOURS)


def _stored(filters: CaseFilters) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(filters).items()}


def _restored(stored: dict) -> CaseFilters:
    dates = {
        k: date.fromisoformat(stored[k]) if stored.get(k) else None
        for k in ("notified_from", "notified_to")
    }
    return CaseFilters(**{**stored, **dates})


def case_export_request(
    *, by: User, filters: CaseFilters, panel_ids: list[int], event: AccessEvent, rows: int
) -> CaseExport:
    """Ask for a spreadsheet of the case list as `filters` select it. `event` is the access
    log's record of the export, to which the worker adds each case it writes."""
    export = CaseExport.objects.create(
        requested_by=by,
        filters=_stored(filters),
        panel_ids=sorted(panel_ids),
        access_event=event,
        rows_expected=rows,
    )
    transaction.on_commit(lambda: _ask_a_worker(export.pk))
    return export


def _ask_a_worker(pk: int) -> None:
    from cases.tasks import write_case_export

    try:
        write_case_export.delay(pk)
    except Exception as error:  # the broker is down: the sweep asks again
        logger.warning("export %s not queued (%s); the sweep asks again", pk, error)


def _claim(pk: int) -> CaseExport | None:
    """The export, now WRITING and this worker's; None if another has it or it is done."""
    with transaction.atomic():
        export = (
            CaseExport.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=ExportStatus.WAITING)
            .first()
        )
        if export is None:
            return None
        export.status, export.started_at = ExportStatus.WRITING, timezone.now()
        export.attempts += 1
        export.rows_written = 0
        export.save(update_fields=["status", "started_at", "attempts", "rows_written"])
        return export


def _fail(export: CaseExport, problem: str, *, retry: bool = False) -> None:
    again = retry and export.attempts < MAX_ATTEMPTS
    export.status = ExportStatus.WAITING if again else ExportStatus.FAILED
    export.problem = problem[:300]
    export.finished_at = None if again else timezone.now()
    export.save(update_fields=["status", "problem", "finished_at"])


def case_export_write(pk: int) -> CaseExport | None:
    """The worker's part: write the spreadsheet with the requester's access as it is now,
    then store the file, its cases in the access log and READY in one transaction (a worker
    lost half-way leaves nothing behind but the WRITING status that the sweep resets)."""
    export = _claim(pk)
    if export is None:
        return None
    user = export.requested_by
    if not may_record_notifications(user):
        _fail(export, "Your access to these cases ended before the spreadsheet was written.")
        return export
    selection = (
        case_list_for(user, _restored(export.filters))
        .filter(panel_id__in=export.panel_ids)  # never wider than when it was asked for
        .using(replica_alias())
    )
    written: list[int] = []

    def counted(rows: Iterable[tuple]) -> Iterator[tuple]:
        for row in rows:
            written.append(row[0])
            if len(written) % PROGRESS_EVERY == 0:
                export.rows_written = len(written)
                export.save(update_fields=["rows_written"])
            yield row

    try:
        output = cases_xlsx(counted(selection.values_list(*FIELDS).iterator(2000)))
    except Exception:
        logger.exception("export %s failed", pk)
        _fail(export, "Something went wrong while it was being written.", retry=True)
        return export
    with output, transaction.atomic():
        for start in range(0, len(written), 2000):  # a chunk of rows in memory at a time
            record_shown(export.access_event, written[start : start + 2000])
        size = 0
        while data := output.read(PART_BYTES):
            CaseExportPart.objects.create(export=export, number=size // PART_BYTES, data=data)
            size += len(data)
        export.file_name = f"cases-{timezone.localtime(export.requested_at):%Y-%m-%d}.xlsx"
        export.file_bytes, export.rows_written = size, len(written)
        export.status, export.finished_at, export.problem = ExportStatus.READY, timezone.now(), ""
        fields = ["file_name", "file_bytes", "rows_written", "status", "finished_at", "problem"]
        export.save(update_fields=fields)
    return export


def export_file(export: CaseExport) -> Iterator[bytes]:
    """The written file, a part at a time (one query a megabyte)."""
    for pk in list(export.parts.values_list("pk", flat=True)):
        yield bytes(CaseExportPart.objects.values_list("data", flat=True).get(pk=pk))


def case_exports_sweep() -> dict[str, int]:
    """Every minute: ask again for exports whose task was lost, give a lost worker's export
    to another (or fail it after MAX_ATTEMPTS), and delete the files that have expired."""
    now = timezone.now()
    done = {"asked": 0, "reset": 0, "expired": 0}
    lost = CaseExport.objects.filter(status=ExportStatus.WRITING, started_at__lt=now - LOST_AFTER)
    for export in lost:
        with transaction.atomic():
            export = CaseExport.objects.select_for_update().get(pk=export.pk)
            if export.status == ExportStatus.WRITING:
                _fail(export, "The worker writing it stopped.", retry=True)
                done["reset"] += 1
    unstarted = CaseExport.objects.filter(
        status=ExportStatus.WAITING, requested_at__lt=now - UNSTARTED_AFTER
    ).values_list("pk", flat=True)
    for pk in unstarted[:100]:
        _ask_a_worker(pk)
        done["asked"] += 1
    keep = timedelta(hours=settings.CASE_EXPORT_KEEP_HOURS)
    expired = CaseExport.objects.filter(status=ExportStatus.READY, finished_at__lt=now - keep)
    for export in expired:
        with transaction.atomic():
            export.parts.all().delete()
            export.status = ExportStatus.EXPIRED
            export.save(update_fields=["status"])
        done["expired"] += 1
    return done
