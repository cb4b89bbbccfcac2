from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access_log import record_access
from accounts.permissions import panels_where
from agency_forms.models import FormRequest
from cases import services as case_services
from cases.models import Case
from cases.permissions import CASE_WORKERS
from cases.selectors import CappedPaginator
from core.models import AccessAction
from core.pdf import pdf_response
from meetings import services
from meetings.forms import (
    AgendaAddForm,
    AnalysisForm,
    AttendanceForm,
    DeclarationForm,
    DigestEditForm,
    DigestNewForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    PapersForm,
    ReasonForm,
    RedactionForm,
)
from meetings.models import Meeting, MeetingStatus, Outcome
from meetings.permissions import (
    may_prepare_meeting,
    may_read_papers,
    may_record_analysis,
    may_reveal,
    may_run_meeting,
    may_schedule_meetings,
    may_see_meetings,
    may_track_actions,
)
from meetings.selectors import (
    actions_of,
    agenda_of,
    analysis_factors,
    analysis_of,
    cases_ready_for,
    digests_of,
    follow_ups_of,
    get_action_for_user,
    get_digest_for_user,
    get_follow_up_for_user,
    get_invitation_for_user,
    get_item_for_user,
    get_meeting_for_user,
    get_submitted_form_for_user,
    invitable_people,
    invitations_of,
    invited_people,
    meetings_of,
    minutes_of,
    narratives_of,
    paper_forms,
    paper_summary,
    papers_pack_of,
    ready_cases_of,
    revealed_to,
)


def _meeting(request: HttpRequest, pk: int, may=None) -> Meeting:
    """A meeting the user may see (404) and, with `may`, act on (403)."""
    meeting = get_meeting_for_user(request.user, pk)
    if may is not None and not may(request.user, meeting):
        raise PermissionDenied
    return meeting


def _form_page(request, meeting, form, title, button="Save", **extra):
    return render(
        request,
        "meetings/meeting_form.html",
        {"meeting": meeting, "form": form, "title": title, "button": button, **extra},
    )


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    if not may_see_meetings(request.user):
        raise Http404("No meetings here")
    coming, past = meetings_of(request.user)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "coming": coming,
            "past": past,
            "may_schedule": may_schedule_meetings(request.user),
            "tracks_actions": may_track_actions(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    panels = list(panels_where(request.user, *CASE_WORKERS))
    if not panels:
        raise Http404("No panel to schedule for")
    form = MeetingForm(request.POST or None, panels=panels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                panel=data["panel"],
                starts_at=form.when(),
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                link=data["link"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Meeting scheduled: now invite the panel and build the agenda"
            )
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return _form_page(request, None, form, "Schedule a panel meeting", "Schedule it")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, may_prepare_meeting)
    local = timezone.localtime(meeting.starts_at)
    initial = {"on": local.date(), "at": local.time(), "duration_minutes": meeting.duration_minutes,
               "place": meeting.place, "link": meeting.link}  # fmt: skip
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                meeting=meeting,
                by=request.user,
                starts_at=form.when(),
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                link=data["link"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Meeting changed")
            return redirect("meetings:meeting_detail", pk=pk)
    return _form_page(request, meeting, form, "Change the meeting")


@login_required
@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting and its agenda: prepared here by the administrator, read by its members."""
    meeting = _meeting(request, pk)
    prepares = may_prepare_meeting(request.user, meeting)
    agenda = agenda_of(meeting, request.user)
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "invitations": invitations_of(meeting),
        "prepares": prepares,
        "runs": may_run_meeting(request.user, meeting),
        "reads_papers": may_read_papers(request.user, meeting),
    }
    if prepares and meeting.status == MeetingStatus.PLANNED:
        context["ready"], context["ready_count"] = cases_ready_for(meeting)
        context["invitable"] = invitable_people(meeting).exists()
    _log_cases_shown(
        request, [i.case_id for i in agenda] + [c.pk for c in context.get("ready", [])]
    )
    return render(request, "meetings/meeting_detail.html", context)


def _log_cases_shown(request: HttpRequest, case_ids: list[int]) -> None:
    """The agenda (and the cases ready for it) name cases: one list event for them."""
    if case_ids:
        record_access(
            request, action=AccessAction.LIST, model=Case, object_ids=case_ids, detail="agenda"
        )


@login_required
@require_http_methods(["GET", "POST"])
def papers_release(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, may_prepare_meeting)
    initial = {}
    if meeting.papers_from:
        local = timezone.localtime(meeting.papers_from)
        initial = {"on": local.date(), "at": local.time()}
    form = PapersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, papers_from=form.when(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The papers open to the invited members at that time")
            return redirect("meetings:meeting_detail", pk=pk)
    return _form_page(request, meeting, form, "When do the papers open?")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, may_prepare_meeting)
    form = InviteForm(request.POST or None, people=invitable_people(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.meeting_invite(
                meeting=meeting, users=list(form.cleaned_data["people"]), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invited {len(made)}")
            return redirect("meetings:meeting_detail", pk=pk)
    return _form_page(request, meeting, form, "Invite panel members", "Invite them")


@login_required
@require_POST
def invitation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_user(request.user, pk)
    if not may_prepare_meeting(request.user, invitation.meeting):
        raise PermissionDenied
    try:
        services.meeting_uninvite(invitation=invitation, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, f"{invitation.user.full_name} is no longer invited")
    return redirect("meetings:meeting_detail", pk=invitation.meeting_id)


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, may_prepare_meeting)
    form = AgendaAddForm(request.POST, cases=ready_cases_of(meeting))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("meetings:meeting_detail", pk=pk)
    case: Case = form.cleaned_data["case"]
    try:
        services.agenda_add(
            meeting=meeting, case=case, minutes=form.cleaned_data["minutes"], by=request.user
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, f"{case.number} is on the agenda")
    return redirect("meetings:meeting_detail", pk=pk)


def _item_to_prepare(request: HttpRequest, pk: int):
    item = get_item_for_user(request.user, pk)
    if not may_prepare_meeting(request.user, item.meeting):
        raise PermissionDenied
    return item


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_to_prepare(request, pk)
    try:
        services.agenda_remove(item=item, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, f"{item.case.number} is off the agenda and ready for panel")
    return redirect("meetings:meeting_detail", pk=item.meeting_id)


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    item = _item_to_prepare(request, pk)
    try:
        services.agenda_move(item=item, up=direction == "up", by=request.user)
    except ValidationError as error:
        _error(request, error)
    return redirect("meetings:meeting_detail", pk=item.meeting_id)


@login_required
@require_http_methods(["GET", "POST"])
def item_time(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_to_prepare(request, pk)
    form = MinutesForm(request.POST or None, initial={"minutes": item.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_time(item=item, minutes=form.cleaned_data["minutes"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("meetings:meeting_detail", pk=item.meeting_id)
    return _form_page(request, item.meeting, form, f"Time for {item.case.number}")


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, may_prepare_meeting)
    try:
        services.meeting_cancel(meeting=meeting, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, "Meeting cancelled: its cases are ready for panel again")
    return redirect("meetings:meeting_detail", pk=pk)


# --- Running the meeting ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair's start: who is here, declarations of interest, then the first case."""
    meeting = _meeting(request, pk, may_run_meeting)
    invitations = invitations_of(meeting)
    posted = request.POST if request.method == "POST" else None
    form = AttendanceForm(posted, invitations=invitations)
    declaration = DeclarationForm(prefix="declare", people=invited_people(invitations))
    agenda = agenda_of(meeting, request.user)
    if posted is not None and form.is_valid():
        try:
            services.meeting_start(meeting=meeting, by=request.user)
            services.attendance_record(
                meeting=meeting, attendance=form.attendance(), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            first = next((i for i in agenda if i.outcome == Outcome.PENDING and i.readable), None)
            if first is None:
                return redirect("meetings:meeting_detail", pk=pk)
            return redirect("meetings:item_papers", pk=first.pk)
    _log_cases_shown(request, [i.case_id for i in agenda])
    return render(
        request,
        "meetings/meeting_run.html",
        {"meeting": meeting, "form": form, "declaration": declaration, "agenda": agenda},
    )


@login_required
@require_POST
def declaration_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, lambda u, m: may_run_meeting(u, m) or may_prepare_meeting(u, m))
    invitations = invitations_of(meeting)
    form = DeclarationForm(request.POST, prefix="declare", people=invited_people(invitations))
    item_pk = request.POST.get("item", "")
    item = next((i for i in agenda_of(meeting, request.user) if str(i.pk) == item_pk), None)
    if item is None or not form.is_valid():
        messages.error(request, "Choose the case, the person and say what the interest is")
    else:
        try:
            services.interest_declare(
                item=item,
                user=form.cleaned_data["person"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, f"Interest recorded: they will not see {item.case.number}")
    return redirect(
        "meetings:meeting_run"
        if may_run_meeting(request.user, meeting)
        else "meetings:meeting_detail",
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_papers(request: HttpRequest, pk: int) -> HttpResponse:
    """One case's papers (pseudonymised), and for the chair the analysis beside them."""
    item = get_item_for_user(request.user, pk)
    meeting = item.meeting
    records = may_record_analysis(request.user, item)
    posted = request.POST if request.method == "POST" else None
    if posted is not None and not records:
        raise PermissionDenied
    record_access(
        request,
        action=AccessAction.VIEW,
        model=Case,
        object_id=item.case_id,
        detail="meeting papers",
    )
    factors = analysis_factors()
    analysis = analysis_of(item)
    form = AnalysisForm(posted, analysis=analysis, factors=factors) if records else None
    if posted is not None and form.is_valid():
        action = posted.get("action", "save")
        try:
            _save_analysis(item, form, request.user)
            if action == "close":
                services.item_close(item=item, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if action == "close":
                messages.success(request, f"{item.case.number} is closed")
            else:
                messages.success(request, f"Analysis of {item.case.number} saved")
            if action in ("close", "next"):
                return _next_case(request, item)
            return redirect("meetings:item_papers", pk=pk)
    revealed = revealed_to(request.user, item)
    identifiable = may_prepare_meeting(request.user, meeting) or revealed is not None
    return render(
        request,
        "meetings/item_papers.html",
        {
            "meeting": meeting,
            "item": item,
            "summary": paper_summary(item),
            "forms": paper_forms(item, identifiable=identifiable),
            "form": form,
            "analysis": analysis,
            "agenda": agenda_of(meeting, request.user),
            "reveal": may_reveal(request.user, item) and revealed is None,
            "revealed": revealed,
            "case": item.case if identifiable else None,
            "prepares": may_prepare_meeting(request.user, meeting),
        },
    )


def _save_analysis(item, form: AnalysisForm, by) -> None:
    data = form.cleaned_data
    case_services.case_record_analysis(
        case=item.case,
        by=by,
        summary=data["summary"],
        primary_category=data["primary_category"].pk if data["primary_category"] else None,
        contributing_categories=[c.pk for c in data["contributing_categories"]],
        modifiable=data["modifiable"],
        learning=data["learning"],
        process_issues=data["process_issues"],
        factors=[case_services.FactorRecord(**record) for record in form.factor_records()],
        actions=[case_services.ActionRecord(**record) for record in form.action_records()],
    )


def _next_case(request: HttpRequest, item) -> HttpResponse:
    """The next case still to decide whose papers the chair may read, or back to the run."""
    agenda = agenda_of(item.meeting, request.user)
    later = [i for i in agenda if i.outcome == Outcome.PENDING and i.readable and i.pk != item.pk]
    after = [i for i in later if i.position > item.position] or later
    if after:
        return redirect("meetings:item_papers", pk=after[0].pk)
    return redirect("meetings:meeting_run", pk=item.meeting_id)


@login_required
@require_http_methods(["GET", "POST"])
def item_defer(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, pk)
    if not may_record_analysis(request.user, item):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_defer(item=item, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{item.case.number} is deferred: ready for panel again")
            return _next_case(request, item)
    return _form_page(
        request, item.meeting, form, f"Defer {item.case.number}", "Defer the case", item=item
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair sees the child's identifying details, with a reason (kept and logged)."""
    item = get_item_for_user(request.user, pk)
    if not may_reveal(request.user, item):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_reveal(item=item, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            record_access(
                request,
                action=AccessAction.VIEW,
                model=Case,
                object_id=item.case_id,
                detail="identifying details revealed to the chair",
            )
            return redirect("meetings:item_papers", pk=pk)
    return _form_page(
        request,
        item.meeting,
        form,
        f"Reveal the identifying details of {item.case.number}",
        "Reveal them",
        item=item,
    )


@login_required
@require_POST
def meeting_finish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, may_run_meeting)
    try:
        services.meeting_finish(meeting=meeting, by=request.user)
    except ValidationError as error:
        _error(request, error)
        return redirect("meetings:meeting_run", pk=pk)
    messages.success(request, "Meeting finished")
    return redirect("meetings:meeting_detail", pk=pk)


# --- Redaction, minutes and the actions tracker -----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def form_redact(request: HttpRequest, pk: int) -> HttpResponse:
    """The administrator redacts a submitted form's narrative answers for the papers."""
    form_request = get_submitted_form_for_user(request.user, pk)
    record_access(
        request,
        action=AccessAction.VIEW,
        model=FormRequest,
        object_id=pk,
        detail="redaction for the papers",
    )
    narratives = narratives_of(form_request)
    posted = request.POST if request.method == "POST" else None  # all may be left empty
    form = RedactionForm(posted, narratives=narratives)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.redactions_save(
                form_request=form_request, texts=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Redaction saved ({changed} answer{'s' * (changed != 1)})")
            return redirect("meetings:form_redact", pk=pk)
    return render(
        request,
        "meetings/form_redact.html",
        {"form_request": form_request, "form": form, "narratives": narratives},
    )


@login_required
@require_safe
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes, generated from what was recorded: pseudonymised, for everyone invited."""
    meeting = _meeting(request, pk)
    minutes = minutes_of(meeting)
    _log_cases_shown(request, [i.case_id for i in minutes["items"]])
    return render(request, "meetings/minutes.html", {"meeting": meeting, **minutes})


@login_required
@require_safe
def action_list(request: HttpRequest) -> HttpResponse:
    """The panel's actions across meetings: owners, due dates, the overdue ones."""
    if not may_track_actions(request.user):
        raise Http404("No actions here")
    show = "all" if request.GET.get("show") == "all" else "open"
    page = CappedPaginator(actions_of(request.user, show=show), 50).get_page(
        request.GET.get("page")
    )
    if page.object_list:
        _log_cases_shown(request, [a.analysis.case_id for a in page.object_list])
    return render(
        request,
        "meetings/actions.html",
        {"page": page, "show": show, "today": timezone.localdate()},
    )


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk)
    done = request.POST.get("done") != "no"
    case_services.analysis_action_done(action=action, done=done, by=request.user)
    messages.success(request, f"{'Done' if done else 'Not done'}: {action.description[:80]}")
    return redirect("meetings:action_list")


@login_required
@require_safe
def meeting_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    minutes = minutes_of(meeting)
    _log_cases_shown(request, [i.case_id for i in minutes["items"]])
    name = f"minutes-{meeting.panel.code}-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    return pdf_response(request, "pdf/minutes.html", {"meeting": meeting, **minutes}, name)


@login_required
@require_safe
def meeting_papers_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable pack: every agenda case the user may read now, pseudonymised."""
    meeting = _meeting(request, pk)
    if not may_read_papers(request.user, meeting):
        raise Http404("No papers to read now")
    items = papers_pack_of(meeting, request.user)
    papers = [(item, paper_summary(item), paper_forms(item)) for item in items]
    if items:
        record_access(
            request,
            action=AccessAction.LIST,
            model=Case,
            object_ids=[i.case_id for i in items],
            detail="meeting papers pack",
        )
    name = f"papers-{meeting.panel.code}-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.pdf"
    context = {"meeting": meeting, "papers": papers, "reader": request.user.full_name}
    return pdf_response(request, "pdf/papers.html", context, name)


@login_required
@require_safe
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """The letters the panel's closures drafted, to send and mark sent."""
    if not may_track_actions(request.user):
        raise Http404("No follow-ups here")
    follow_ups = follow_ups_of(request.user)
    if follow_ups:
        _log_cases_shown(request, [f.case_id for f in follow_ups])
    return render(request, "meetings/follow_ups.html", {"follow_ups": follow_ups})


@login_required
@require_safe
def follow_up_letter(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(request.user, pk)
    record_access(
        request,
        action=AccessAction.VIEW,
        model=Case,
        object_id=follow_up.case_id,
        detail="follow-up letter",
    )
    paragraphs = [p for p in follow_up.letter.split("\n\n") if p.strip()]
    context = {"follow_up": follow_up, "paragraphs": paragraphs}
    return pdf_response(request, "pdf/letter.html", context, f"letter-{follow_up.case.number}.pdf")


@login_required
@require_POST
def follow_up_sent(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(request.user, pk)
    services.follow_up_mark_sent(follow_up=follow_up, by=request.user)
    messages.success(request, f"Sent: {follow_up.rule.title} for case {follow_up.case.number}")
    return redirect("meetings:follow_up_list")


# --- The learning digest ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def digest_list(request: HttpRequest) -> HttpResponse:
    """The information sheets drafted so far, and a new one for a period."""
    panels = list(panels_where(request.user, *CASE_WORKERS))
    if not panels:
        raise Http404("No digests here")
    form = DigestNewForm(request.POST or None, panels=panels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            digest = services.digest_create(
                panel=data.get("panel") or panels[0],
                title=data["title"],
                start=data["start"],
                end=data["end"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Drafted from the analyses: check and edit it")
            return redirect("meetings:digest_edit", pk=digest.pk)
    return render(
        request, "meetings/digests.html", {"form": form, "digests": digests_of(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def digest_edit(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_digest_for_user(request.user, pk)
    form = DigestEditForm(
        request.POST or None, initial={"title": digest.title, "body": digest.body}
    )
    if request.method == "POST" and form.is_valid():
        services.digest_update(
            digest=digest,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            by=request.user,
        )
        messages.success(request, "Saved")
        return redirect("meetings:digest_edit", pk=pk)
    return render(request, "meetings/digest_edit.html", {"digest": digest, "form": form})


@login_required
@require_safe
def digest_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_digest_for_user(request.user, pk)
    blocks = []
    for paragraph in digest.body.split("\n\n"):
        text = paragraph.strip()
        if text.startswith("## "):
            blocks.append(("heading", text[3:]))
        elif text:
            blocks.append(("paragraph", text))
    context = {"digest": digest, "blocks": blocks, "pdf_footer": digest.panel.name}
    return pdf_response(request, "pdf/digest.html", context, f"learning-{digest.end}.pdf")
