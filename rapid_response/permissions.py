"""Who may see and work on rapid response episodes: the policy of this app's objects.

- The administrators of the case's panel open episodes, change their teams and see them all.
- The people named on an episode's team (users of the service, whatever their agency) see the
  episode and the minimum of the case it needs (name, date of birth, address, date and place
  of death), record its stages and actions, and nothing else of the case.
- Team membership is read at request time from the episode's `TeamMember` rows: removing
  someone from the team ends their access on their next request.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.permissions import holds_role_in_panel, may_hold_roles, panel_ids_where
from cases.models import Case, CaseState, DeathType
from cases.permissions import CASE_WORKERS, may_change_case
from rapid_response.models import EpisodeAction, EpisodeStatus, RapidResponseEpisode, TeamMember

# Deaths that call for a joint agency response, or may (domain.md §2.2).
RESPONSE_DEATHS = (DeathType.UNEXPECTED, DeathType.NOT_DETERMINED)


def episodes_visible_to(user: User) -> QuerySet[RapidResponseEpisode]:
    if not may_hold_roles(user):
        return RapidResponseEpisode.objects.none()
    panels = panel_ids_where(user, *CASE_WORKERS)
    on_team = Exists(TeamMember.objects.filter(episode=OuterRef("pk"), user=user))
    return RapidResponseEpisode.objects.filter(
        (Q(case__panel_id__in=panels) if panels else Q(pk__in=[])) | Q(on_team)
    )


def may_administer_episode(user: User, episode: RapidResponseEpisode) -> bool:
    return holds_role_in_panel(user, episode.case.panel_id, *CASE_WORKERS)


def is_on_team(user: User, episode: RapidResponseEpisode) -> bool:
    return TeamMember.objects.filter(episode=episode, user=user).exists()


def may_open_episode(user: User, case: Case) -> bool:
    return (
        may_change_case(user, case)
        and case.death_type in RESPONSE_DEATHS
        and case.state != CaseState.CLOSED
    )


def may_work_on_episode(user: User, episode: RapidResponseEpisode) -> bool:
    """Record stages and actions: the team and the administrators, while it is open."""
    return (
        episode.status == EpisodeStatus.OPEN
        and episode.case.state != CaseState.CLOSED
        and (may_administer_episode(user, episode) or is_on_team(user, episode))
    )


def may_mark_done(user: User, action: EpisodeAction) -> bool:
    episode = action.episode
    return action.done_at is None and (
        action.owner_id == user.pk
        or may_administer_episode(user, episode)
        or is_on_team(user, episode)
    )


def actions_owned_by(user: User) -> QuerySet[EpisodeAction]:
    """The user's open actions, on episodes they may still see."""
    return EpisodeAction.objects.filter(
        owner=user, done_at__isnull=True, episode__in=episodes_visible_to(user)
    )
