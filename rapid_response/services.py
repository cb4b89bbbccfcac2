"""Writes of rapid response episodes: the pages, the clock job and the demo data come here."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseEventKind, CaseState
from cases.services import case_record_event
from core.history import save_with_actor
from rapid_response.models import (
    EpisodeAction,
    EpisodeStage,
    EpisodeStatus,
    RapidResponseCriterion,
    RapidResponseEpisode,
    StageKind,
    TeamMember,
)
from rapid_response.permissions import RESPONSE_DEATHS, is_on_team, may_administer_episode


def _open_episode(episode: RapidResponseEpisode) -> RapidResponseEpisode:
    locked = (
        RapidResponseEpisode.objects.select_for_update().select_related("case").get(pk=episode.pk)
    )
    if locked.case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed: its rapid response cannot change")
    if locked.status != EpisodeStatus.OPEN:
        raise ValidationError("The rapid response is closed")
    return locked


@transaction.atomic
def episode_open(
    *,
    case: Case,
    criteria: list[RapidResponseCriterion],
    started_at: datetime,
    by: User,
    summary: str = "",
) -> RapidResponseEpisode:
    """Start the joint agency response to an unexpected (or not yet determined) death."""
    if case.death_type not in RESPONSE_DEATHS:
        raise ValidationError("A rapid response is for a death that was unexpected or may be")
    if case.state == CaseState.CLOSED:
        raise ValidationError("The case is closed")
    if not criteria:
        raise ValidationError({"criteria": "Select why a rapid response is needed"})
    if started_at > timezone.now():
        raise ValidationError({"started_at": "The start must be now or in the past"})
    episode = RapidResponseEpisode(case=case, started_at=started_at, summary=summary, opened_by=by)
    try:
        with transaction.atomic():
            save_with_actor(episode, by=by, reason="rapid response opened")
    except IntegrityError:
        raise ValidationError("This case already has a rapid response") from None
    episode.criteria.set(criteria)
    case_record_event(
        case=case,
        kind=CaseEventKind.RAPID_RESPONSE_OPENED,
        detail="; ".join(c.label for c in criteria) + (f". {summary.strip()}" if summary else ""),
        by=by,
    )
    return episode


@transaction.atomic
def team_member_add(
    *,
    episode: RapidResponseEpisode,
    role: str,
    by: User,
    user: User | None = None,
    name: str = "",
    organisation: str = "",
    contact: str = "",
) -> TeamMember:
    """Name someone on the team: a user of the service (who then sees the episode) or an
    outside person with their role and contact."""
    episode = _open_episode(episode)
    if user is not None and (not user.is_active or user.is_staff):
        raise ValidationError({"user": "Choose an active person who works on cases"})
    if user is None and not name.strip():
        raise ValidationError({"name": "Choose a user of the service or enter a name"})
    member = TeamMember(
        episode=episode,
        role=role,
        user=user,
        name=name.strip()[:150],
        organisation=organisation.strip()[:200],
        contact=contact.strip()[:200],
    )
    try:
        with transaction.atomic():
            save_with_actor(member, by=by, reason="added to the team")
    except IntegrityError:
        raise ValidationError({"user": "They are on the team already"}) from None
    return member


@transaction.atomic
def team_member_remove(*, member: TeamMember, by: User) -> None:
    """Off the team: a user no longer sees the episode from their next request."""
    _open_episode(member.episode)
    member._change_reason = "removed from the team"
    member.delete()


@transaction.atomic
def stage_record(
    *,
    episode: RapidResponseEpisode,
    kind: str,
    held_at: datetime,
    attendees: str,
    notes: str,
    decisions: str,
    by: User,
) -> EpisodeStage:
    """Record (or correct) what happened at one stage of the response."""
    episode = _open_episode(episode)
    if kind not in StageKind.values:
        raise ValidationError("No such stage")
    if held_at > timezone.now():
        raise ValidationError({"held_at": "Record a stage once it has happened"})
    if not attendees.strip():
        raise ValidationError({"attendees": "Enter who took part"})
    stage = EpisodeStage.objects.filter(episode=episode, kind=kind).first() or EpisodeStage(
        episode=episode, kind=kind, recorded_by=by
    )
    stage.held_at, stage.attendees = held_at, attendees.strip()
    stage.notes, stage.decisions = notes.strip(), decisions.strip()
    save_with_actor(stage, by=by, reason=f"{StageKind(kind).label} recorded")
    return stage


@transaction.atomic
def action_add(
    *,
    episode: RapidResponseEpisode,
    description: str,
    owner: User,
    due_on: date,
    by: User,
    stage: str = "",
) -> EpisodeAction:
    """An action agreed at the response, owned by a member of the team (or an administrator
    of the case's panel)."""
    episode = _open_episode(episode)
    if not description.strip():
        raise ValidationError({"description": "Enter what needs doing"})
    if not (is_on_team(owner, episode) or may_administer_episode(owner, episode)):
        raise ValidationError({"owner": "Choose someone on the team"})
    action = EpisodeAction(
        episode=episode,
        description=description.strip()[:500],
        owner=owner,
        due_on=due_on,
        stage=stage,
    )
    save_with_actor(action, by=by, reason="action agreed")
    return action


@transaction.atomic
def action_mark_done(*, action: EpisodeAction, by: User) -> EpisodeAction:
    locked = EpisodeAction.objects.select_for_update().get(pk=action.pk)
    if locked.done_at is None:
        locked.done_at, locked.done_by = timezone.now(), by
        save_with_actor(locked, by=by, reason="action done")
    return locked


@transaction.atomic
def episode_close(*, episode: RapidResponseEpisode, outcome: str, by: User) -> RapidResponseEpisode:
    """The response ends with its outcome, written on the case's timeline for the panel."""
    episode = _open_episode(episode)
    if not outcome.strip():
        raise ValidationError({"outcome": "Enter the outcome of the response"})
    if not episode.stages.filter(kind=StageKind.FINAL_DISCUSSION).exists():
        raise ValidationError("Record the final case discussion before closing the response")
    episode.status, episode.outcome = EpisodeStatus.CLOSED, outcome.strip()
    save_with_actor(episode, by=by, reason="rapid response closed")
    case_record_event(
        case=episode.case,
        kind=CaseEventKind.RAPID_RESPONSE_CLOSED,
        detail=episode.outcome,
        by=by,
    )
    return episode
