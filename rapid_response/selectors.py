"""Reads of rapid response episodes, for the people who may see them (`permissions`)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from rapid_response.models import (
    EpisodeAction,
    EpisodeStatus,
    RapidResponseEpisode,
    StageKind,
    TeamMember,
)
from rapid_response.permissions import actions_owned_by, episodes_visible_to


def get_episode_for_user(user: User, pk: int) -> RapidResponseEpisode:
    episode = (
        episodes_visible_to(user)
        .select_related("case", "case__panel", "case__place_of_death", "case__key_worker")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404("No such rapid response")
    return episode


def episode_page(episode: RapidResponseEpisode) -> dict:
    """What the episode's page shows: the minimum of the case, the team, each stage with its
    record (or none yet), the actions."""
    case = episode.case
    notification = (
        case.notifications.exclude(address="")
        .only("address", "postcode")
        .order_by("received_at", "pk")
        .first()
    )
    recorded = {s.kind: s for s in episode.stages.all()}
    return {
        "address": ", ".join(p for p in (notification.address, notification.postcode) if p)
        if notification
        else "",
        "criteria": list(episode.criteria.all()),
        "team": list(episode.team.select_related("user")),
        "stages": [(kind, label, recorded.get(kind)) for kind, label in StageKind.choices],
        "actions": list(episode.actions.select_related("owner", "done_by")),
    }


def team_candidates(episode: RapidResponseEpisode) -> QuerySet[User]:
    """Who can be named on the team: active people of the case's panel and of the agencies
    serving it (never a system administrator)."""
    panel = episode.case.panel
    return (
        User.objects.filter(is_active=True, is_staff=False)
        .filter(Q(panel_memberships__panel=panel) | Q(agency_memberships__agency__panels=panel))
        .distinct()
        .order_by("full_name", "pk")
    )


def action_owners(episode: RapidResponseEpisode) -> QuerySet[User]:
    """The team's users and the panel's administrators."""
    from cases.permissions import CASE_WORKERS

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=TeamMember.objects.filter(episode=episode).values("user"))
            | Q(
                panel_memberships__panel=episode.case.panel,
                panel_memberships__role__in=CASE_WORKERS,
            )
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def my_episodes(user: User) -> list[RapidResponseEpisode]:
    """The open episodes whose team names the user, for their home page."""
    return list(
        RapidResponseEpisode.objects.filter(team__user=user, status=EpisodeStatus.OPEN)
        .select_related("case")
        .order_by("-started_at")[:20]
    )


def my_actions(user: User) -> list[EpisodeAction]:
    return list(actions_owned_by(user).select_related("episode__case").order_by("due_on", "pk"))


def get_team_member_for_user(user: User, pk: int) -> TeamMember:
    member = (
        TeamMember.objects.filter(pk=pk, episode__in=episodes_visible_to(user))
        .select_related("episode__case")
        .first()
    )
    if member is None:
        raise Http404("No such team member")
    return member


def get_action_for_user(user: User, pk: int) -> EpisodeAction:
    action = (
        EpisodeAction.objects.filter(pk=pk, episode__in=episodes_visible_to(user))
        .select_related("episode__case")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action
