from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access_log import record_access
from cases.selectors import get_case_for_user
from core.models import AccessAction
from rapid_response import services
from rapid_response.forms import (
    ActionForm,
    EpisodeCloseForm,
    EpisodeOpenForm,
    StageForm,
    TeamMemberForm,
)
from rapid_response.models import RapidResponseEpisode, StageKind
from rapid_response.permissions import (
    may_administer_episode,
    may_mark_done,
    may_open_episode,
    may_work_on_episode,
)
from rapid_response.selectors import (
    action_owners,
    episode_page,
    get_action_for_user,
    get_episode_for_user,
    get_team_member_for_user,
    team_candidates,
)


def _episode(request: HttpRequest, pk: int, may=None, what: str = "") -> RapidResponseEpisode:
    """An episode the user may see (404), may act on (403), recorded in the access log."""
    episode = get_episode_for_user(request.user, pk)
    if may is not None and not may(request.user, episode):
        raise PermissionDenied
    record_access(
        request, action=AccessAction.VIEW, model=RapidResponseEpisode, object_id=pk, detail=what
    )
    return episode


def _form_page(request, episode, form, title, button="Save"):
    return render(
        request,
        "rapid_response/episode_form.html",
        {"episode": episode, "case": episode.case, "form": form, "title": title, "button": button},
    )


@login_required
@require_http_methods(["GET", "POST"])
def episode_open(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Start the rapid response to an unexpected death, from the case."""
    case = get_case_for_user(request.user, case_pk)
    if not may_open_episode(request.user, case):
        raise PermissionDenied
    form = EpisodeOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_open(
                case=case,
                criteria=list(form.cleaned_data["criteria"]),
                started_at=form.when(),
                summary=form.cleaned_data["summary"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Rapid response started: now name its team")
            return redirect("rapid_response:episode_team", pk=episode.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "case": case, "title": "Start a rapid response", "button": "Start it"},
    )


@login_required
@require_safe
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The response: its team, stages and actions, and the minimum of the case it needs."""
    episode = _episode(request, pk)
    return render(
        request,
        "rapid_response/episode_detail.html",
        {
            "episode": episode,
            "case": episode.case,
            **episode_page(episode),
            "administers": may_administer_episode(request.user, episode),
            "may_work": may_work_on_episode(request.user, episode),
            "user_pk": request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def episode_team(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the team (the administrators of the case's panel)."""
    episode = _episode(request, pk, may_administer_episode, "team")
    form = TeamMemberForm(request.POST or None, people=team_candidates(episode))
    if request.method == "POST" and form.is_valid():
        try:
            services.team_member_add(episode=episode, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Added to the team")
            return redirect("rapid_response:episode_team", pk=pk)
    return render(
        request,
        "rapid_response/episode_team.html",
        {"episode": episode, "case": episode.case, "form": form, **episode_page(episode)},
    )


@login_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_team_member_for_user(request.user, pk)
    if not may_administer_episode(request.user, member.episode):
        raise PermissionDenied
    try:
        services.team_member_remove(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Removed from the team")
    return redirect("rapid_response:episode_team", pk=member.episode_id)


@login_required
@require_http_methods(["GET", "POST"])
def stage_record(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in StageKind.values:
        raise Http404("No such stage")
    episode = _episode(request, pk, may_work_on_episode, kind)
    stage = episode.stages.filter(kind=kind).first()
    initial = {}
    if stage is not None:
        from django.utils import timezone

        held = timezone.localtime(stage.held_at)
        initial = {"on": held.date(), "at": held.time(), "attendees": stage.attendees,
                   "notes": stage.notes, "decisions": stage.decisions}  # fmt: skip
    form = StageForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_record(
                episode=episode,
                kind=kind,
                held_at=form.when(),
                attendees=data["attendees"],
                notes=data["notes"],
                decisions=data["decisions"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{StageKind(kind).label} recorded")
            return redirect("rapid_response:episode_detail", pk=pk)
    return _form_page(request, episode, form, StageKind(kind).label)


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(request, pk, may_work_on_episode, "new action")
    form = ActionForm(request.POST or None, people=action_owners(episode))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(episode=episode, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action added")
            return redirect("rapid_response:episode_detail", pk=pk)
    return _form_page(request, episode, form, "Add an action", "Add it")


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk)
    if not may_mark_done(request.user, action):
        raise PermissionDenied
    services.action_mark_done(action=action, by=request.user)
    messages.success(request, f"Done: {action.description}")
    return redirect("rapid_response:episode_detail", pk=action.episode_id)


@login_required
@require_http_methods(["GET", "POST"])
def episode_close(request: HttpRequest, pk: int) -> HttpResponse:
    def may_close(user, episode):
        return may_administer_episode(user, episode) and may_work_on_episode(user, episode)

    episode = _episode(request, pk, may_close, "close")
    form = EpisodeCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_close(
                episode=episode, outcome=form.cleaned_data["outcome"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Rapid response closed")
            return redirect("rapid_response:episode_detail", pk=pk)
    return _form_page(request, episode, form, "Close the rapid response", "Close it")
