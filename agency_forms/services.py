"""Writes of reporting form requests: every page, command, task and the demo data come here."""

import hashlib
import io
import re
import zipfile
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import Agency, User
from agency_forms.models import (
    OPEN_STATUSES,
    OUTSTANDING,
    FormAttachment,
    FormDefinition,
    FormKind,
    FormRequest,
    FormRequestUserObjectPermission,
    RequestStatus,
)
from agency_forms.permissions import COMPLETE, agency_people, named_person
from cases.models import Case, CaseState
from cases.services import (
    case_gather_information_again,
    case_mark_ready_for_panel,
    case_start_information_gathering,
)
from core.history import save_with_actor
from core.outbox import email_queue
from core.working_days import add_working_days


def latest_definition(kind: str) -> FormDefinition:
    definition = FormDefinition.objects.filter(kind=kind).order_by("-version").first()
    if definition is None:
        raise ValidationError(f"The {FormKind(kind).label.lower()} form has no definition")
    return definition


@transaction.atomic
def form_requests_send(
    *,
    case: Case,
    agencies: list[Agency],
    supplementary: list[str],
    by: User,
    named: User | None = None,
    sent_on: date | None = None,
) -> list[FormRequest]:
    """Ask each agency for the reporting form and the supplementary forms chosen, each due
    the panel's allowance of working days from today. A `named` person at one of the agencies
    receives that agency's requests; otherwise each agency's active members are told by email
    (a link; never the child's details). The first request starts the case's information
    gathering. `sent_on` is today but for the demo data's requests of days gone by."""
    if case.state == CaseState.CLOSED:
        raise ValidationError("A closed case cannot ask for information")
    if not agencies:
        raise ValidationError({"agencies": "Choose at least one agency"})
    serving = set(case.panel.agencies.filter(is_active=True).values_list("pk", flat=True))
    if any(agency.pk not in serving for agency in agencies):
        raise ValidationError({"agencies": "Choose agencies that serve the panel"})
    named_at = None
    if named is not None:
        named_at = next(
            (a for a in agencies if agency_people(a.pk).filter(pk=named.pk).exists()), None
        )
        if named_at is None:
            raise ValidationError(
                {"named_person": "Choose a person at one of the agencies you are asking"}
            )
    kinds = [FormKind.CORE, *(k for k in FormKind.values if k in supplementary)]
    open_ones = set(
        FormRequest.objects.filter(case=case, status__in=OPEN_STATUSES).values_list(
            "agency_id", "kind"
        )
    )
    today = sent_on or timezone.localdate()
    due = add_working_days(today, case.panel.form_due_working_days)
    sent = []
    for agency in agencies:
        for kind in kinds:
            if (agency.pk, kind) in open_ones:
                continue  # already asked, and not waived or cancelled
            request = FormRequest(
                case=case,
                agency=agency,
                kind=kind,
                definition=latest_definition(kind),
                requested_by=by,
                sent_on=today,
                due_on=due,
            )
            try:
                with transaction.atomic():
                    save_with_actor(request, by=by, reason="requested")
            except IntegrityError:  # the same request sent a moment ago, from another page
                continue
            if agency == named_at:
                assign_perm(f"agency_forms.{COMPLETE}", named, request)
            sent.append(request)
    if not sent:
        raise ValidationError("Every form chosen has already been asked of those agencies")
    if case.state == CaseState.NOTIFIED:
        case_start_information_gathering(case=case, by=by)
    for agency in {r.agency for r in sent}:
        _tell_the_agency(agency, [r for r in sent if r.agency == agency])
    return sent


def request_link(form_request: FormRequest) -> str:
    """The request's page, for emails: the agency signs in to see anything of the case."""
    path = reverse("agency_forms:form_request_detail", args=[form_request.pk])
    return f"{settings.SITE_URL}{path}"


def people_to_tell(form_request: FormRequest) -> list[User]:
    """The named person while they are at the agency, otherwise its active members."""
    person = named_person(form_request)
    return [person] if person is not None else list(agency_people(form_request.agency_id))


def _tell_the_agency(agency: Agency, requests: list[FormRequest]) -> None:
    for request in requests:
        for member in people_to_tell(request):
            email_queue(
                key=f"form-requested:{request.pk}:{member.pk}",
                kind="form_requested",
                to=member.email,
                panel=request.case.panel,
                case_number=request.case.number,
                subject=f"{request.case.panel.name} asks {agency.name} for a reporting form",
                body=render_to_string(
                    "agency_forms/email/form_requested.txt",
                    {"request": request, "member": member, "link": request_link(request)},
                ),
            )


# --- The administrator's changes to a request ------------------------------------------------


def _locked(form_request: FormRequest, *, allowed: list[str], action: str) -> FormRequest:
    locked = FormRequest.objects.select_for_update().select_related("case").get(pk=form_request.pk)
    if locked.status not in allowed:
        raise ValidationError(f"A {locked.get_status_display().lower()} request cannot be {action}")
    if locked.case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed: its requests cannot change")
    return locked


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason"})
    return reason[:500]


@transaction.atomic
def form_request_waive(*, form_request: FormRequest, reason: str, by: User) -> FormRequest:
    """The form is not needed after all (the agency had no involvement): it counts as in
    for the case's readiness."""
    form_request = _locked(form_request, allowed=OUTSTANDING, action="waived")
    form_request.status, form_request.reason = RequestStatus.WAIVED, _reason(reason)
    save_with_actor(form_request, by=by, reason="waived")
    case_information_check(case=form_request.case, by=by)
    return form_request


@transaction.atomic
def form_request_cancel(*, form_request: FormRequest, reason: str, by: User) -> FormRequest:
    """Asked by mistake: it no longer counts, and the agency may be asked again."""
    form_request = _locked(form_request, allowed=OUTSTANDING, action="cancelled")
    form_request.status, form_request.reason = RequestStatus.CANCELLED, _reason(reason)
    save_with_actor(form_request, by=by, reason="cancelled")
    case_information_check(case=form_request.case, by=by)
    return form_request


@transaction.atomic
def form_request_extend(*, form_request: FormRequest, due_on, reason: str, by: User) -> FormRequest:
    """A later due date, agreed with the agency (its reminders start again from it)."""
    form_request = _locked(form_request, allowed=OUTSTANDING, action="extended")
    reason = _reason(reason)
    if due_on <= max(form_request.due_on, timezone.localdate()):
        raise ValidationError({"due_on": "The new due date must be after the current one"})
    form_request.due_on, form_request.reason = due_on, reason
    form_request.ladder += 1  # its reminders start again from the new date
    save_with_actor(form_request, by=by, reason="extended")
    return form_request


@transaction.atomic
def case_information_check(*, case: Case, by: User) -> Case:
    """When every form still asked for is in (submitted or waived), the case is ready for
    panel. A paused case stays paused (its pause is the panel's decision, not the forms')."""
    if case.state != CaseState.INFORMATION_GATHERING:
        return case
    counted = FormRequest.objects.filter(case=case).exclude(status=RequestStatus.CANCELLED)
    waiting = counted.filter(status__in=OUTSTANDING)
    if counted.exists() and not waiting.exists():
        return case_mark_ready_for_panel(case=case, by=by)
    return case


# --- The agency's side: answers, submission, reassignment --------------------------------


class AnswersChangedError(ValidationError):
    """Someone else saved the form since this page was opened."""


CHANGED_MESSAGE = (
    "Someone else at your agency saved this form after you opened it, so your answers were "
    "not saved. Your answers are still on this page: check them against the form as it is "
    "now, then save again"
)


def _for_the_agency(form_request: FormRequest, version: int | None) -> FormRequest:
    locked = FormRequest.objects.select_for_update().select_related("case").get(pk=form_request.pk)
    if locked.status not in OUTSTANDING:
        raise ValidationError(
            f"This form is {locked.get_status_display().lower()}: it can no longer be changed"
        )
    if locked.case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed: its forms cannot change")
    if version is not None and locked.version != version:
        raise AnswersChangedError(CHANGED_MESSAGE)
    return locked


def _cleaned_answer(question: dict, value) -> dict | None:
    """One answer as stored, or None for no answer. Values come from the section's form, so
    they are already of the question's type; this keeps the stored shape in one place."""
    if question["type"] == "yes_no":
        answer, notes = value if isinstance(value, tuple) else (value, "")
        answer, notes = answer or "", (notes or "").strip()
        if answer and answer not in YES_NO:
            raise ValidationError(f"{question['key']}: not an answer to this question")
        return {"answer": answer, "notes": notes} if answer or notes else None
    if value is None or value == "":
        return None
    if question["type"] == "choice":
        if value not in {o["value"] for o in question["options"]}:
            raise ValidationError(f"{question['key']}: not one of the options")
        return {"answer": value}
    if question["type"] == "date":
        return {"answer": value.isoformat() if isinstance(value, date) else str(value)}
    if question["type"] == "number":
        return {"answer": str(value)}
    return {"answer": str(value).strip()}


YES_NO = {"yes", "no", "not_known", "not_applicable"}


def section_of(definition: FormDefinition, key: str) -> dict:
    for section in definition.sections:
        if section["key"] == key:
            return section
    raise ValidationError(f"The form has no section {key}")


@transaction.atomic
def form_request_save(
    *, form_request: FormRequest, section_key: str, answers: dict, version: int, by: User
) -> FormRequest:
    """Save one section's answers as a draft (a save is never a submission). Refused with
    `AnswersChangedError` when the form was saved by someone else since `version` was read."""
    locked = _for_the_agency(form_request, version)
    section = section_of(locked.definition, section_key)
    stored = dict(locked.answers)
    for question in section["questions"]:
        if question["key"] not in answers:
            continue
        answer = _cleaned_answer(question, answers[question["key"]])
        if answer is None:
            stored.pop(question["key"], None)
        else:
            stored[question["key"]] = answer
    locked.answers = stored
    locked.version += 1
    if locked.status == RequestStatus.REQUESTED:
        locked.status = RequestStatus.DRAFT
    save_with_actor(locked, by=by, reason=f"section {section_key} saved")
    return locked


def missing_answers(definition: FormDefinition, answers: dict) -> list[tuple[dict, dict]]:
    """(section, question) of every question that must be answered before submission: each
    yes / no / not known / not applicable question and each choice."""
    return [
        (section, question)
        for section, question in definition.questions()
        if question["type"] in ("yes_no", "choice")
        and not (answers.get(question["key"]) or {}).get("answer")
    ]


@transaction.atomic
def form_request_submit(*, form_request: FormRequest, version: int, by: User) -> FormRequest:
    """Submit once, exactly as checked (`version`): read-only to the agency afterwards. The
    case moves to ready for panel when this was the last form it waited for."""
    locked = _for_the_agency(form_request, version)
    missing = missing_answers(locked.definition, locked.answers)
    if missing:
        raise ValidationError(
            f"Answer every question before you submit: {len(missing)} "
            f"question{'s are' if len(missing) > 1 else ' is'} not answered yet"
        )
    locked.status, locked.submitted_at = RequestStatus.SUBMITTED, timezone.now()
    locked.version += 1
    save_with_actor(locked, by=by, reason="submitted")
    case_information_check(case=locked.case, by=by)
    return locked


@transaction.atomic
def form_request_return(
    *, form_request: FormRequest, reason: str, due_on: date, by: User
) -> tuple[FormRequest, str]:
    """Send a submitted form back to the agency for amendment, due again on `due_on` (a new
    ladder of reminders). A case ready for panel goes back to gathering information; a case
    already on an agenda stays there, and the returned warning says so."""
    form_request = _locked(form_request, allowed=[RequestStatus.SUBMITTED], action="returned")
    reason = _reason(reason)
    if due_on <= timezone.localdate():
        raise ValidationError({"due_on": "The new due date must be in the future"})
    form_request.status, form_request.reason = RequestStatus.RETURNED, reason
    form_request.due_on, form_request.submitted_at = due_on, None
    form_request.ladder += 1
    form_request.version += 1
    save_with_actor(form_request, by=by, reason="returned for amendment")
    case = form_request.case
    warning = ""
    if case.state == CaseState.READY_FOR_PANEL:
        case_gather_information_again(
            case=case,
            reason=f"{form_request.get_kind_display()} from {form_request.agency.name} "
            "returned for amendment",
            by=by,
        )
    elif case.state == CaseState.SCHEDULED:
        warning = (
            "The case is on a meeting's agenda: it stays there. Take it off the agenda if the "
            "panel should wait for the amended form"
        )
    for member in people_to_tell(form_request):
        email_queue(
            key=f"form-returned:{form_request.pk}:{form_request.ladder}:{member.pk}",
            kind="form_returned",
            to=member.email,
            panel=case.panel,
            case_number=case.number,
            subject=f"{case.panel.name} returns a form to {form_request.agency.name}",
            body=render_to_string(
                "agency_forms/email/form_returned.txt",
                {"request": form_request, "link": request_link(form_request)},
            ),
        )
    return form_request, warning


@transaction.atomic
def form_request_reassign(*, form_request: FormRequest, to: User | None, by: User) -> FormRequest:
    """An agency lead gives the request to one of the agency's people, or back to the agency
    as a whole (`to=None`). The person named before loses it on their next request."""
    locked = _for_the_agency(form_request, None)
    if to is not None and not agency_people(locked.agency_id).filter(pk=to.pk).exists():
        raise ValidationError({"person": "Choose an active member of the agency"})
    FormRequestUserObjectPermission.objects.filter(content_object=locked).delete()
    if to is not None:
        assign_perm(f"agency_forms.{COMPLETE}", to, locked)
        email_queue(
            key=f"form-given:{locked.pk}:{locked.version}:{to.pk}:{timezone.now().isoformat()}",
            kind="form_given",
            to=to.email,
            panel=locked.case.panel,
            case_number=locked.case.number,
            subject=f"A reporting form for {locked.agency.name} is now yours",
            body=render_to_string(
                "agency_forms/email/form_requested.txt",
                {"request": locked, "member": to, "link": request_link(locked)},
            ),
        )
    save_with_actor(locked, by=by, reason=f"given to {to.email}" if to else "given to the agency")
    return locked


# --- Attachments ------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {"application/pdf": "pdf", DOCX: "docx", "image/png": "png", "image/jpeg": "jpg"}
ACCEPTED = "PDF, Word (DOCX), PNG or JPEG"
MAX_ATTACHMENTS = 20
# Markup in the first bytes of a file that claims to be a document or an image (a polyglot).
_MARKUP = re.compile(rb"<\s*(html|script|svg|iframe|body|!doctype)", re.IGNORECASE)


def sniffed_type(content: bytes) -> str | None:
    """What the file is, from its content (never its name or the browser's say-so)."""
    if _MARKUP.search(content[:8192]):
        return None
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    return None


def clean_file_name(name: str, content_type: str) -> str:
    """The name without any folder, with only plain characters, ending in the extension of
    what the file really is."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9 _-]+", "_", stem).strip(" ._-")[:100] or "attachment"
    return f"{stem}.{EXTENSIONS[content_type]}"


@transaction.atomic
def form_attachment_add(
    *, form_request: FormRequest, name: str, content: bytes, description: str, by: User
) -> FormAttachment:
    locked = _for_the_agency(form_request, None)
    limit = settings.ATTACHMENT_MAX_BYTES
    if not content:
        raise ValidationError({"file": "The selected file is empty"})
    if len(content) > limit:
        raise ValidationError(
            {"file": f"The selected file must be smaller than {limit // (1024 * 1024)} MB"}
        )
    content_type = sniffed_type(content)
    if content_type is None:
        raise ValidationError({"file": f"The selected file must be a {ACCEPTED}"})
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": f"A form can have at most {MAX_ATTACHMENTS} files"})
    attachment = FormAttachment(
        request=locked,
        file_name=clean_file_name(name, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        description=description.strip()[:200],
        uploaded_by=by,
    )
    attachment.save()
    save_with_actor(locked, by=by, reason=f"attached {attachment.file_name}")
    return attachment


@transaction.atomic
def form_attachment_remove(*, attachment: FormAttachment, by: User) -> None:
    locked = _for_the_agency(attachment.request, None)
    FormAttachment.objects.filter(pk=attachment.pk, request=locked).delete()
    save_with_actor(locked, by=by, reason=f"removed {attachment.file_name}")
