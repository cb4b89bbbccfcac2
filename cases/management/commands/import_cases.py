import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases import importer
from cases.services import IMPORTED_MODELS
from core.bulk import analyze
from core.history import acting_as_system
from panels.models import Panel

# A load this large changes the tables' shape enough that the planner needs to know at once.
ANALYZE_AFTER = 1000


class Command(BaseCommand):
    help = "Import historic cases from a CSV file (see interfaces.md). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("--panel", required=True, help="The panel's code, e.g. BEDS")
        parser.add_argument("file", help="UTF-8 CSV with a header row")
        parser.add_argument("--dry-run", action="store_true", help="Check and count; save nothing")

    def handle(self, *args, panel: str, file: str, dry_run: bool = False, **options):
        the_panel = Panel.objects.filter(code=panel).first()
        if the_panel is None:
            raise CommandError(f"There is no panel with the code {panel}")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise CommandError(f"Cannot find {file}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text ({error.reason})") from error

        rows, problems = importer.parse(text, the_panel)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) found: nothing was saved.")

        with transaction.atomic(), acting_as_system() as system:
            result = importer.save(rows, the_panel, by=system, progress=self._progress)
            if dry_run:
                transaction.set_rollback(True)
        if result.created >= ANALYZE_AFTER and not dry_run:
            analyze(*IMPORTED_MODELS)
        for line in result.left_as_is:
            self.stdout.write(line)
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            f"{verb} {result.created} cases, updated {result.updated}, "
            f"left {result.unchanged} unchanged, "
            f"kept {len(result.left_as_is)} changed in the application."
            + (" Dry run: nothing was saved." if dry_run else "")
        )

    def _progress(self, done: int, total: int) -> None:
        # A progress bar for large files, on the terminal only (not in logs or pipes).
        if total < 200 or not sys.stderr.isatty():
            return
        width = 40
        filled = width * done // total
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
        sys.stderr.flush()
