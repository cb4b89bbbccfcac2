"""`python manage.py run_job NAME [--dry-run] [--panel CODE]` (interfaces.md): one periodic job
now, exactly as Celery beat runs it, for operators after an outage and for checks."""

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from agency_forms.chasing import form_requests_chase
from core import outbox
from core.history import acting_as_system
from panels.models import Panel


@dataclass
class JobResult:
    lines: list[tuple[str, str, str]]  # (case number, kind, recipient) per message sent
    already_sent: int = 0
    problem: str = ""  # why some could not be sent now


def send_outbox(*, panel: Panel | None, dry_run: bool) -> JobResult:
    result = outbox.sweep(panel=panel, dry_run=dry_run)
    return JobResult(
        lines=[(e.case_number, e.kind, e.to) for e in result.sent],
        already_sent=result.taken,
        problem=(
            f"{result.failed} could not be sent now: the mail server refused them "
            "(they wait for the next try; the outbox page has the reasons)"
            if result.failed
            else ""
        ),
    )


def chase_form_requests(*, panel: Panel | None, dry_run: bool) -> JobResult:
    result = form_requests_chase(panel=panel, dry_run=dry_run)
    return JobResult(lines=result.lines, already_sent=result.already_sent)


def rapid_response_clock(*, panel: Panel | None, dry_run: bool) -> JobResult:
    from rapid_response.clock import rapid_response_clock as scan

    result = scan(panel=panel, dry_run=dry_run)
    return JobResult(lines=result.lines, already_sent=result.already_sent)


def review_target_watch(*, panel: Panel | None, dry_run: bool) -> JobResult:
    from cases.review_target import review_target_watch as watch

    result = watch(panel=panel, dry_run=dry_run)
    return JobResult(lines=result.lines, already_sent=result.already_sent)


# Each job is the same service Celery beat runs.
JOBS = {
    "chase_form_requests": chase_form_requests,
    "rapid_response_clock": rapid_response_clock,
    "review_target_watch": review_target_watch,
    "send_outbox": send_outbox,
}


class Command(BaseCommand):
    help = "Run one periodic job now, as Celery beat runs it: " + ", ".join(JOBS)

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"One of: {', '.join(JOBS)}")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent")
        parser.add_argument("--panel", help="Only this panel's messages, by its code")

    def handle(self, *args, name: str, dry_run: bool = False, panel: str | None = None, **opts):
        if name not in JOBS:
            raise CommandError(f"There is no job {name}: choose one of {', '.join(JOBS)}")
        the_panel = None
        if panel:
            the_panel = Panel.objects.filter(code=panel).first()
            if the_panel is None:
                raise CommandError(f"There is no panel with the code {panel}")
        with acting_as_system():
            result = JOBS[name](panel=the_panel, dry_run=dry_run)
        for case_number, kind, recipient in result.lines:
            self.stdout.write(f"{name}\t{case_number}\t{kind}\t{recipient}")
        self.stdout.write(f"{len(result.lines)} sent, {result.already_sent} already sent before")
        if result.problem:
            raise CommandError(result.problem)
