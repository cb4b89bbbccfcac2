"""The authorization matrix: every URL of the project × every persona × GET and POST.

A URL without a row in EXPECTED fails `test_every_url_has_a_row`. Each cell also checks that a
GET changed nothing in the database, what the access log gained, and the headers every
signed-in page must carry. Later issues add their URLs' rows here.
"""

import re

from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AccessEvent
from tests.security.world import (
    ADMINISTRATOR,
    AGENCY_A_LEAD,
    AGENCY_A_USER,
    AGENCY_B_USER,
    ANONYMOUS,
    CHAIR,
    DEACTIVATED,
    LIKE,
    MANAGER,
    MEMBER,
    OTHER_ADMINISTRATOR,
    PASSWORD_ONLY,
    PERSONAS,
    REASSIGNED_AGENCY_USER,
    ROLES_REMOVED,
    SYSTEM_ADMINISTRATOR,
    TWO_PANEL_ADMINISTRATOR,
    build_world,
)

# Outcomes besides a plain status code.
LOGIN = "→login"  # 302 to the sign-in page
ENROL = "→enrol"  # 302 to two-factor enrolment
ADMIN_LOGIN = "→admin login"  # 302 to the admin's sign-in (which is allauth's)
HOME = "→home"  # 302 to the home page
SELF = "→same"  # 302 back to a page of the same feature (after a POST)

SIGNED_IN = [ADMINISTRATOR, OTHER_ADMINISTRATOR, CHAIR, MEMBER, MANAGER, AGENCY_A_USER,
             AGENCY_A_LEAD, AGENCY_B_USER, SYSTEM_ADMINISTRATOR]  # fmt: skip
MANAGERS_OF_BEDS = [ADMINISTRATOR, SYSTEM_ADMINISTRATOR]
NOT_MANAGERS = [CHAIR, MEMBER, MANAGER, AGENCY_A_USER, AGENCY_A_LEAD, AGENCY_B_USER]


def row(get, post, **overrides):
    """Expected (GET, POST) for each persona: `get`/`post` for the signed-in, two-factor
    personas, the usual redirects for the others, then per-persona overrides."""
    cells = dict.fromkeys(SIGNED_IN, (get, post))
    cells[ANONYMOUS] = (LOGIN, LOGIN)
    cells[DEACTIVATED] = (LOGIN, LOGIN)
    cells[PASSWORD_ONLY] = (ENROL, ENROL)
    cells.update(overrides)
    return cells


def managers_row(get, post, *, other_administrator):
    """Pages for those who manage users: everyone else is told it does not exist."""
    return row(
        get,
        post,
        **dict.fromkeys(NOT_MANAGERS, (404, 404)),
        **{OTHER_ADMINISTRATOR: other_administrator},
    )


def admins_row(get, post, *, other_administrator, everyone_else=(404, 404), **persona):
    """Pages for CDOP administrators; the system administrator sees no case data."""
    return row(
        get,
        post,
        **{
            **dict.fromkeys([*NOT_MANAGERS, SYSTEM_ADMINISTRATOR], everyone_else),
            OTHER_ADMINISTRATOR: other_administrator,
            **persona,
        },
    )


def public_row(get, post):
    return dict.fromkeys(PERSONAS, (get, post))


def not_offered_row():
    """Sign-up and self-service email changes do not exist here (404); the password-only
    persona is sent to enrol first, as on every page."""
    return row(404, 404, **{ANONYMOUS: (404, 404), DEACTIVATED: (404, 404)})


# Sensitive two-factor changes ask for the password again first (allauth's reauthentication):
# a signed-in person is sent there (a redirect within the sign-in pages).
REAUTHENTICATE = SELF


# Agency A's lead and the person the draft was given to see it; the person it was taken from
# is told it does not exist (404).
AT_AGENCY_A_200 = {
    AGENCY_A_USER: (200, 405),
    AGENCY_A_LEAD: (200, 405),
    REASSIGNED_AGENCY_USER: (404, 405),
}
AGENCY_A_WRITES = {
    AGENCY_A_USER: (200, 200),
    AGENCY_A_LEAD: (200, 200),
    REASSIGNED_AGENCY_USER: (404, 404),
}

ON_TEAM_200 = {AGENCY_A_USER: (200, 405), REASSIGNED_AGENCY_USER: (404, 405)}

# A meeting's invited chair and member read it; someone whose roles were all removed is like
# any outsider.
INVITED_READ = {CHAIR: (200, 405), MEMBER: (200, 405), ROLES_REMOVED: (404, 405)}
INVITED_REFUSED = {CHAIR: (403, 403), MEMBER: (403, 403), ROLES_REMOVED: (404, 404)}
INVITED_NO_POST = {CHAIR: (405, 403), MEMBER: (405, 403), ROLES_REMOVED: (405, 404)}
OFF_TEAM = {REASSIGNED_AGENCY_USER: (404, 404)}

EXPECTED = {
    "home": row(200, 405),
    "healthz": public_row(200, 405),
    "accessibility": public_row(200, 405),
    # Sign-in and its pages (django-allauth).
    "account_login": row(HOME, HOME, **{ANONYMOUS: (200, 200), DEACTIVATED: (200, 200)}),
    "account_logout": row(
        200,
        HOME,
        **{ANONYMOUS: (HOME, HOME), DEACTIVATED: (HOME, HOME), PASSWORD_ONLY: (200, HOME)},
    ),
    "account_inactive": row(200, 405, **{ANONYMOUS: (200, 405), DEACTIVATED: (200, 405)}),
    "signup_not_offered": not_offered_row(),
    "email_change_not_offered": not_offered_row(),
    "email_confirm_not_offered": not_offered_row(),
    "account_signup": not_offered_row(),
    "account_email": not_offered_row(),
    "account_email_verification_sent": not_offered_row(),
    "account_confirm_email": not_offered_row(),
    "account_confirm_login_code": row(HOME, HOME),  # sign-in by emailed code is not offered
    "account_reauthenticate": row(200, 200, **{PASSWORD_ONLY: (200, 200)}),
    "account_change_password": row(200, 200),
    "account_set_password": row(SELF, SELF),  # everyone has a password: sent to change it
    "account_reset_password": row(200, 200, **{ANONYMOUS: (200, 200), DEACTIVATED: (200, 200)}),
    "account_reset_password_done": row(
        200, 405, **{ANONYMOUS: (200, 405), DEACTIVATED: (200, 405)}
    ),
    # A made-up key: the page says the link is not valid (allauth answers 200).
    "account_reset_password_from_key": row(
        200, 200, **{ANONYMOUS: (200, 200), DEACTIVATED: (200, 200)}
    ),
    "account_reset_password_from_key_done": row(
        200, 405, **{ANONYMOUS: (200, 405), DEACTIVATED: (200, 405)}
    ),
    # Two-factor (django-allauth MFA): enrolment is open to the password-only persona.
    "mfa_index": row(200, 405, **{PASSWORD_ONLY: (200, 405)}),
    "mfa_authenticate": row(HOME, HOME, **{PASSWORD_ONLY: (HOME, HOME)}),
    "mfa_reauthenticate": row(200, 200, **{PASSWORD_ONLY: (SELF, SELF)}),
    # Enrolment follows the password sign-in directly; changing or viewing two-factor details
    # afterwards asks for the password again.
    "mfa_activate_totp": row(SELF, SELF, **{PASSWORD_ONLY: (200, 200)}),
    "mfa_deactivate_totp": row(REAUTHENTICATE, REAUTHENTICATE, **{PASSWORD_ONLY: (404, 404)}),
    "mfa_view_recovery_codes": row(REAUTHENTICATE, 405, **{PASSWORD_ONLY: (404, 405)}),
    # Without an authenticator app the page shows but refuses to make codes.
    "mfa_generate_recovery_codes": row(
        REAUTHENTICATE, REAUTHENTICATE, **{PASSWORD_ONLY: (200, 200)}
    ),
    "mfa_download_recovery_codes": row(
        REAUTHENTICATE, REAUTHENTICATE, **{PASSWORD_ONLY: (404, 404)}
    ),
    # User and agency management: POST-only actions answer 405 to a GET from a manager
    # (whatever the id), and 404 to anyone outside their scope.
    "accounts:user_list": managers_row(200, 405, other_administrator=(200, 405)),
    "accounts:user_invite": managers_row(200, 200, other_administrator=(200, 200)),
    "accounts:user_detail": managers_row(200, 405, other_administrator=(404, 405)),
    "accounts:user_role_add": managers_row(405, 400, other_administrator=(405, 404)),
    "accounts:user_role_remove": managers_row(405, SELF, other_administrator=(405, 404)),
    "accounts:user_deactivate": managers_row(405, SELF, other_administrator=(405, 404)),
    "accounts:user_reactivate": managers_row(405, SELF, other_administrator=(405, 404)),
    "accounts:user_invitation_resend": managers_row(405, SELF, other_administrator=(405, 404)),
    "accounts:outbox": managers_row(200, 405, other_administrator=(200, 405)),
    # One of BEDS's emails: its administrators and the system administrator may retry it.
    "accounts:outbox_retry": managers_row(405, SELF, other_administrator=(405, 404)),
    "accounts:panel_roles": managers_row(200, 405, other_administrator=(404, 405)),
    "accounts:agency_list": managers_row(200, 405, other_administrator=(200, 405)),
    "accounts:agency_create": managers_row(200, 200, other_administrator=(200, 200)),
    "accounts:agency_edit": managers_row(200, 200, other_administrator=(404, 404)),
    # Notifications and cases: the CDOP administrators of the panel (BEDS); another panel's
    # administrator has the pages but none of BEDS's objects; everyone else has nothing.
    "cases:case_list": admins_row(200, 405, other_administrator=(200, 405)),
    "cases:case_export_csv": admins_row(200, 405, other_administrator=(200, 405)),
    "cases:case_export_xlsx": admins_row(200, 405, other_administrator=(200, 405)),
    # A large spreadsheet: asked for by a POST; its page and file are its requester's alone
    # (BEDS's administrator), while they still administer its panels.
    "cases:case_export_start": admins_row(405, SELF, other_administrator=(405, SELF)),
    "cases:case_export_status": admins_row(
        200, 405, other_administrator=(404, 405), **{TWO_PANEL_ADMINISTRATOR: (404, 405)}
    ),
    "cases:case_export_download": admins_row(
        200, 405, other_administrator=(404, 405), **{TWO_PANEL_ADMINISTRATOR: (404, 405)}
    ),
    "cases:case_detail": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405)
    ),
    "cases:case_viewed_by": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405)
    ),
    "cases:case_details_edit": admins_row(200, 200, other_administrator=(404, 404)),
    "cases:related_process_new": admins_row(200, 200, other_administrator=(404, 404)),
    "cases:case_transition": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404)
    ),
    "cases:case_note_new": admins_row(200, 200, other_administrator=(404, 404)),
    # The note is the administrator's own: another administrator of the panel sees it on the
    # case but may not change it (403).
    "cases:case_note_edit": admins_row(
        200, 200, other_administrator=(404, 404), **{TWO_PANEL_ADMINISTRATOR: (403, 403)}
    ),
    "cases:triage": admins_row(200, 405, other_administrator=(200, 405)),
    # A fresh notification starts on its first question page.
    "cases:notification_new": admins_row(SELF, 405, other_administrator=(SELF, 405)),
    "cases:notification_new_page": admins_row(200, 200, other_administrator=(200, 200)),
    "cases:notification_new_check": admins_row(200, 200, other_administrator=(200, 200)),
    "cases:notification_edit": admins_row(200, 200, other_administrator=(404, 404)),
    "cases:notification_detail": admins_row(200, 405, other_administrator=(404, 405)),
    "cases:notification_open_case": admins_row(405, SELF, other_administrator=(405, 404)),
    "cases:notification_merge": admins_row(405, SELF, other_administrator=(405, 404)),
    "cases:notification_mark_distinct": admins_row(405, SELF, other_administrator=(405, 404)),
    # Release and discard answer a notification that is not held with a message (→ same page).
    "cases:notification_release": admins_row(405, SELF, other_administrator=(405, 404)),
    "cases:notification_discard": admins_row(405, SELF, other_administrator=(405, 404)),
    "cases:notification_unmerge": admins_row(405, SELF, other_administrator=(405, 404)),
    "cases:notification_undo_distinct": admins_row(405, SELF, other_administrator=(405, 404)),
    "cases:notification_offer": admins_row(200, 200, other_administrator=(404, 404)),
    "cases:case_offer": admins_row(200, 200, other_administrator=(404, 404)),
    # A transfer offer from MK to BEDS: both panels' administrators see it; BEDS's decides,
    # MK's may withdraw it; each is refused (403) the other's decision.
    "cases:transfer_detail": admins_row(200, 405, other_administrator=(200, 405)),
    "cases:transfer_accept": admins_row(405, SELF, other_administrator=(405, 403)),
    "cases:transfer_decline": admins_row(405, SELF, other_administrator=(405, 403)),
    "cases:transfer_withdraw": admins_row(
        405, 403, other_administrator=(405, SELF), **{TWO_PANEL_ADMINISTRATOR: (405, SELF)}
    ),
    # The public notification page: anyone, signed in or not (re-shown with errors on POST).
    "cases:public_notify": row(200, 405, **{ANONYMOUS: (200, 405), DEACTIVATED: (200, 405)}),
    "cases:public_notify_page": row(200, 200, **{ANONYMOUS: (200, 200), DEACTIVATED: (200, 200)}),
    "cases:public_notify_check": row(200, 200, **{ANONYMOUS: (200, 200), DEACTIVATED: (200, 200)}),
    "cases:public_notify_done": row(200, 405, **{ANONYMOUS: (200, 405), DEACTIVATED: (200, 405)}),
    # The forms' questions: no case data, for everyone signed in.
    "agency_forms:data_dictionary": row(200, 405),
    "agency_forms:data_dictionary_csv": row(200, 405),
    # Asking agencies for forms about BEDS's case: its administrators (an empty POST shows
    # the form again with its error).
    "agency_forms:form_requests_new": admins_row(200, 200, other_administrator=(404, 404)),
    "agency_forms:form_request_change": admins_row(200, 200, other_administrator=(404, 404)),
    # The agency's side. "My requests" is open to everyone signed in (empty for most).
    "agency_forms:my_requests": row(200, 405),
    # The draft: its administrators and agency A's lead and named person see it; agency A's
    # user it was taken from, agency B and everyone else are told it does not exist.
    "agency_forms:form_request_detail": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405), **AT_AGENCY_A_200
    ),
    # Writing the draft: the agency's (an empty POST shows the section again); the
    # administrators see it and may not write to it.
    "agency_forms:form_request_section": admins_row(
        403, 403, other_administrator=(404, 404), **AGENCY_A_WRITES
    ),
    "agency_forms:form_request_check": admins_row(
        403, 403, other_administrator=(404, 404), **AGENCY_A_WRITES
    ),
    "agency_forms:form_attachment_new": admins_row(
        403, 403, other_administrator=(404, 404), **AGENCY_A_WRITES
    ),
    # Giving the draft to someone: agency A's lead (an empty POST gives it to the agency).
    "agency_forms:form_request_reassign": admins_row(
        403,
        403,
        other_administrator=(404, 404),
        **{
            AGENCY_A_USER: (403, 403),
            AGENCY_A_LEAD: (200, SELF),
            REASSIGNED_AGENCY_USER: (404, 404),
        },
    ),
    # The submitted SUDI form: its administrators return it; agency A sees it, may not.
    "agency_forms:form_request_return": admins_row(
        200,
        200,
        other_administrator=(404, 404),
        **dict.fromkeys([AGENCY_A_USER, AGENCY_A_LEAD, REASSIGNED_AGENCY_USER], (403, 403)),
    ),
    # The draft's file: the agency's until the form is submitted.
    "agency_forms:form_attachment": admins_row(
        404, 405, other_administrator=(404, 405), everyone_else=(404, 405), **AT_AGENCY_A_200
    ),
    "agency_forms:form_attachment_remove": admins_row(
        405,
        403,
        other_administrator=(405, 404),
        everyone_else=(405, 404),
        **dict.fromkeys([AGENCY_A_USER, AGENCY_A_LEAD], (405, SELF)),
        **{REASSIGNED_AGENCY_USER: (405, 404)},
    ),
    # Rapid response on BEDS's case: its administrators, and agency A's user on the team; agency
    # A's other user (off the team) and everyone else are told it does not exist.
    "rapid_response:episode_open": admins_row(200, 200, other_administrator=(404, 404)),
    "rapid_response:episode_detail": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405), **ON_TEAM_200
    ),
    "rapid_response:episode_team": admins_row(
        200, 200, other_administrator=(404, 404), **{AGENCY_A_USER: (403, 403), **OFF_TEAM}
    ),
    "rapid_response:team_member_remove": admins_row(
        405,
        SELF,
        other_administrator=(405, 404),
        everyone_else=(405, 404),
        **{AGENCY_A_USER: (405, 403), REASSIGNED_AGENCY_USER: (405, 404)},
    ),
    "rapid_response:stage_record": admins_row(
        200, 200, other_administrator=(404, 404), **{AGENCY_A_USER: (200, 200), **OFF_TEAM}
    ),
    "rapid_response:action_new": admins_row(
        200, 200, other_administrator=(404, 404), **{AGENCY_A_USER: (200, 200), **OFF_TEAM}
    ),
    "rapid_response:action_done": admins_row(
        405,
        SELF,
        other_administrator=(405, 404),
        everyone_else=(405, 404),
        **{AGENCY_A_USER: (405, SELF), REASSIGNED_AGENCY_USER: (405, 404)},
    ),
    "rapid_response:episode_close": admins_row(
        200, 200, other_administrator=(404, 404), **{AGENCY_A_USER: (403, 403), **OFF_TEAM}
    ),
    "agency_forms:outstanding": admins_row(
        200, 405, other_administrator=(200, 405), everyone_else=(404, 405)
    ),
    # Panel meetings: BEDS's administrators prepare them; its invited chair and member (and the
    # demoted administrator, a member now) read the agenda and the papers, the chair runs
    # it (not started yet: the outcomes refuse); everyone else is told it does not exist.
    "meetings:meeting_list": admins_row(
        200, 405, other_administrator=(200, 405), everyone_else=(404, 405), **INVITED_READ
    ),
    "meetings:meeting_new": admins_row(200, 200, other_administrator=(200, 200)),
    "meetings:meeting_detail": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405), **INVITED_READ
    ),
    "meetings:meeting_edit": admins_row(
        200, 200, other_administrator=(404, 404), **INVITED_REFUSED
    ),
    "meetings:papers_release": admins_row(
        200, 200, other_administrator=(404, 404), **INVITED_REFUSED
    ),
    "meetings:meeting_invite": admins_row(
        200, 200, other_administrator=(404, 404), **INVITED_REFUSED
    ),
    "meetings:invitation_remove": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404), **INVITED_NO_POST
    ),
    "meetings:agenda_add": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404), **INVITED_NO_POST
    ),
    "meetings:meeting_cancel": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404), **INVITED_NO_POST
    ),
    "meetings:meeting_run": admins_row(
        403,
        403,
        other_administrator=(404, 404),
        **{**INVITED_REFUSED, CHAIR: (200, SELF)},
    ),
    "meetings:declaration_new": admins_row(
        405,
        SELF,
        other_administrator=(405, 404),
        everyone_else=(405, 404),
        **{**INVITED_NO_POST, CHAIR: (405, SELF)},
    ),
    "meetings:meeting_finish": admins_row(
        405,
        403,
        other_administrator=(405, 404),
        everyone_else=(405, 404),
        **{**INVITED_NO_POST, CHAIR: (405, SELF)},
    ),
    "meetings:item_papers": admins_row(
        200,
        403,
        other_administrator=(404, 404),
        **{**INVITED_REFUSED, CHAIR: (200, 403), MEMBER: (200, 403)},
    ),
    "meetings:item_remove": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404), **INVITED_NO_POST
    ),
    "meetings:item_move": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404), **INVITED_NO_POST
    ),
    "meetings:item_time": admins_row(200, 200, other_administrator=(404, 404), **INVITED_REFUSED),
    "meetings:item_defer": admins_row(403, 403, other_administrator=(404, 404), **INVITED_REFUSED),
    "meetings:meeting_minutes": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405), **INVITED_READ
    ),
    # The national submission: BEDS's administrators export their closed cases (a POST: the
    # export is recorded); the case in the world is open, so it has no record yet.
    "reporting:national_submission": admins_row(
        200, 405, other_administrator=(200, 405), everyone_else=(404, 405)
    ),
    "reporting:national_period_export": admins_row(
        405, 200, other_administrator=(405, 200), everyone_else=(405, 404)
    ),
    "reporting:national_case_export": admins_row(
        405, 404, other_administrator=(405, 404), everyone_else=(405, 404)
    ),
    "meetings:meeting_minutes_pdf": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405), **INVITED_READ
    ),
    "meetings:meeting_papers_pdf": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405), **INVITED_READ
    ),
    "meetings:follow_up_list": admins_row(
        200, 405, other_administrator=(200, 405), everyone_else=(404, 405)
    ),
    "meetings:follow_up_letter": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405)
    ),
    "meetings:follow_up_sent": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404)
    ),
    "meetings:form_redact": admins_row(200, SELF, other_administrator=(404, 404)),
    "meetings:digest_list": admins_row(200, 200, other_administrator=(200, 200)),
    "meetings:digest_edit": admins_row(200, 200, other_administrator=(404, 404)),
    "meetings:digest_pdf": admins_row(
        200, 405, other_administrator=(404, 405), everyone_else=(404, 405)
    ),
    "meetings:action_list": admins_row(
        200, 405, other_administrator=(200, 405), everyone_else=(404, 405)
    ),
    "meetings:action_done": admins_row(
        405, SELF, other_administrator=(405, 404), everyone_else=(405, 404)
    ),
    "meetings:item_reveal": admins_row(403, 403, other_administrator=(404, 404), **INVITED_REFUSED),
}

# GETs that show case data write one access-log row per list or record shown.
ON_TEAM_LOGGED = {ADMINISTRATOR: 1, AGENCY_A_USER: 1, REASSIGNED_AGENCY_USER: 0}
LOGGED = {
    # The oldest open cases (triage: a count) and BEDS's forms submitted lately; the rapid
    # responses of agency A's user's team.
    "home": {
        ADMINISTRATOR: 2,
        OTHER_ADMINISTRATOR: 1,
        AGENCY_A_USER: 1,
        REASSIGNED_AGENCY_USER: 0,
        CHAIR: 1,  # the agenda of the next meeting
    },
    "cases:case_list": {ADMINISTRATOR: 1, OTHER_ADMINISTRATOR: 1},
    "cases:case_detail": {ADMINISTRATOR: 1},
    "cases:case_viewed_by": {ADMINISTRATOR: 1},
    "cases:case_export_csv": {ADMINISTRATOR: 1, OTHER_ADMINISTRATOR: 1},
    "cases:case_export_xlsx": {ADMINISTRATOR: 1, OTHER_ADMINISTRATOR: 1},
    "cases:case_export_download": {ADMINISTRATOR: 1, TWO_PANEL_ADMINISTRATOR: 0},
    "cases:triage": {ADMINISTRATOR: 1, OTHER_ADMINISTRATOR: 1},
    "cases:notification_detail": {ADMINISTRATOR: 1},
    "cases:transfer_detail": {ADMINISTRATOR: 1, OTHER_ADMINISTRATOR: 1},
    # The draft is to complete; the person it was taken from has nothing to complete.
    "agency_forms:my_requests": {AGENCY_A_USER: 1, AGENCY_A_LEAD: 1, REASSIGNED_AGENCY_USER: 0},
    "agency_forms:form_request_detail": {
        REASSIGNED_AGENCY_USER: 0,
        ADMINISTRATOR: 1,
        AGENCY_A_USER: 1,
        AGENCY_A_LEAD: 1,
    },
    "agency_forms:form_request_section": {
        REASSIGNED_AGENCY_USER: 0,
        AGENCY_A_USER: 1,
        AGENCY_A_LEAD: 1,
    },
    "agency_forms:form_request_check": {
        REASSIGNED_AGENCY_USER: 0,
        AGENCY_A_USER: 1,
        AGENCY_A_LEAD: 1,
    },
    "agency_forms:form_attachment_new": {
        REASSIGNED_AGENCY_USER: 0,
        AGENCY_A_USER: 1,
        AGENCY_A_LEAD: 1,
    },
    "agency_forms:form_request_reassign": {AGENCY_A_LEAD: 1},
    "agency_forms:form_request_return": {ADMINISTRATOR: 1},
    "agency_forms:form_attachment": {REASSIGNED_AGENCY_USER: 0, AGENCY_A_USER: 1, AGENCY_A_LEAD: 1},
    "agency_forms:outstanding": {ADMINISTRATOR: 1},
    "rapid_response:episode_detail": {
        ADMINISTRATOR: 1,
        AGENCY_A_USER: 1,
        REASSIGNED_AGENCY_USER: 0,
    },
    "rapid_response:episode_team": {ADMINISTRATOR: 1},
    "rapid_response:stage_record": ON_TEAM_LOGGED,
    "rapid_response:action_new": ON_TEAM_LOGGED,
    "rapid_response:episode_close": {ADMINISTRATOR: 1},
    "meetings:meeting_detail": {ADMINISTRATOR: 1, CHAIR: 1, MEMBER: 1, ROLES_REMOVED: 0},
    "meetings:meeting_run": {CHAIR: 1},
    "meetings:item_papers": {ADMINISTRATOR: 1, CHAIR: 1, MEMBER: 1, ROLES_REMOVED: 0},
    "meetings:meeting_minutes": {ADMINISTRATOR: 1, CHAIR: 1, MEMBER: 1, ROLES_REMOVED: 0},
    "meetings:form_redact": {ADMINISTRATOR: 1},
    "meetings:action_list": {ADMINISTRATOR: 1},
    "meetings:meeting_minutes_pdf": {ADMINISTRATOR: 1, CHAIR: 1, MEMBER: 1, ROLES_REMOVED: 0},
    "meetings:meeting_papers_pdf": {ADMINISTRATOR: 1, CHAIR: 1, MEMBER: 1, ROLES_REMOVED: 0},
    "meetings:follow_up_list": {ADMINISTRATOR: 1},
    "meetings:follow_up_letter": {ADMINISTRATOR: 1},
}
# POSTs that export case data: the export's one event (a worker adds the cases it writes).
AGENCY_A_POST_LOGGED = {AGENCY_A_USER: 1, AGENCY_A_LEAD: 1, REASSIGNED_AGENCY_USER: 0}
LOGGED_BY_POST = {
    "cases:case_export_start": {ADMINISTRATOR: 1, OTHER_ADMINISTRATOR: 1},
    # A form's pages shown again with an error (or, for a file's removal, before it) show
    # the request: one event each.
    "agency_forms:form_request_section": AGENCY_A_POST_LOGGED,
    "agency_forms:form_request_check": AGENCY_A_POST_LOGGED,
    "agency_forms:form_attachment_new": AGENCY_A_POST_LOGGED,
    "agency_forms:form_attachment_remove": AGENCY_A_POST_LOGGED,
    "agency_forms:form_request_reassign": {AGENCY_A_LEAD: 1},
    "agency_forms:form_request_return": {ADMINISTRATOR: 1},
    "rapid_response:episode_team": {ADMINISTRATOR: 1},
    "rapid_response:stage_record": ON_TEAM_LOGGED,
    "rapid_response:action_new": ON_TEAM_LOGGED,
    "rapid_response:episode_close": {ADMINISTRATOR: 1},
    "meetings:form_redact": {ADMINISTRATOR: 1},
}


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, name, pattern) for every URL the project serves."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


ROUTES = list(url_patterns())


def row_key(route: str, name: str | None) -> str:
    return name or route


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def test_every_url_has_a_row():
    missing = [
        row_key(route, name)
        for route, name, _ in ROUTES
        if not is_admin(route) and row_key(route, name) not in EXPECTED
    ]
    assert missing == []


def test_no_row_is_left_for_a_url_that_is_gone():
    names = {row_key(route, name) for route, name, _ in ROUTES}
    assert set(EXPECTED) - names == set()


# --- Filling in URLs ---------------------------------------------------------------------


def concrete_path(route: str, name: str | None, world) -> str:
    a_user = world.people[AGENCY_A_USER]
    values = {
        "pk": a_user.pk,
        "membership_pk": world.membership_a.pk,
        "kind": "agency",
        "uidb36": "zz",
        "key": "not-a-real-key",
        "url": "",
        "app_label": "panels",
        "content_type_id": 1,
        "object_id": _admin_object_id(name),
        "case_pk": world.case.pk,
        "note_pk": world.note.pk,
        "section": "child",
        "other_pk": world.other_notification.pk,
        "action": "gather",
        "code": world.beds.code,
        "file_format": "csv",
    }
    if name == "accounts:agency_edit":
        values["pk"] = world.agency_a.pk
    if name == "accounts:panel_roles":
        values["pk"] = world.beds.pk
    if name == "accounts:outbox_retry":
        values["pk"] = world.beds_email.pk
    if name == "reporting:national_case_export":
        values["pk"] = world.case.pk
    if name and name.startswith("cases:") and "notification" not in name:
        values["pk"] = world.case.pk
    if name and name.startswith("cases:notification_"):
        values["pk"] = world.notification.pk
    if name and name.startswith("cases:transfer_"):
        values["pk"] = world.transfer.pk
    if name in ("cases:case_export_status", "cases:case_export_download"):
        values["pk"] = world.case_export.pk
    if name and name.startswith("agency_forms:form_"):
        values["pk"] = world.form_request.pk
        values["key"] = "A"
    if name == "agency_forms:form_request_return":
        values["pk"] = world.submitted_request.pk
    if name in ("agency_forms:form_attachment", "agency_forms:form_attachment_remove"):
        values["pk"] = world.attachment.pk
    if name and name.startswith("rapid_response:"):
        values["pk"] = world.episode.pk
        values["kind"] = "planning"
    if name == "rapid_response:team_member_remove":
        values["pk"] = world.outside_member.pk
    if name == "rapid_response:action_done":
        values["pk"] = world.action.pk
    if name and name.startswith("meetings:"):
        values["pk"] = world.meeting.pk
        values["direction"] = "up"
    if name and name.startswith("meetings:item_"):
        values["pk"] = world.item.pk
    if name == "meetings:invitation_remove":
        values["pk"] = world.invitation.pk
    if name in ("meetings:digest_edit", "meetings:digest_pdf"):
        values["pk"] = world.digest.pk
    if name == "meetings:form_redact":
        values["pk"] = world.submitted_request.pk
    if name == "meetings:action_done":
        values["pk"] = world.analysis_action.pk
    if name in ("meetings:follow_up_letter", "meetings:follow_up_sent"):
        values["pk"] = world.follow_up.pk
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    return "/" + path.lstrip("^").rstrip("$").replace("^", "")


def _admin_object_id(name: str | None) -> str:
    """For an admin change/delete/history URL, the id of a real object of that model."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name and name.startswith(prefix):
            obj = model._default_manager.order_by("pk").first()
            return str(obj.pk) if obj else "1"
    return "1"


# --- Running a cell ----------------------------------------------------------------------

WRITES = """
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
    WHERE relname NOT IN ('django_session', 'core_accessevent', 'core_accesseventobject')
      AND relname NOT LIKE 'axes_%%'
"""


def writes_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute(WRITES)
        return cursor.fetchone()[0]


def client_for(persona: str, world) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        user = world.people[persona]
        client.force_login(user)
        if persona == DEACTIVATED:
            user.is_active = False
            user.save()
    return client


def outcome(response) -> object:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/accounts/login/"):
        return LOGIN
    if location.startswith("/accounts/2fa/totp/activate/"):
        return ENROL
    if location.startswith("/admin/login/"):
        return ADMIN_LOGIN
    if location == "/":
        return HOME
    return SELF


def header_problems(response, persona: str, what: str) -> list[str]:
    persona = LIKE.get(persona, persona)
    problems = []
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{what} as {persona}: no nosniff header")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"{what} as {persona}: framing not denied")
    if persona in SIGNED_IN and response.status_code == 200:
        if "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"{what} as {persona}: may be cached")
        if "frame-ancestors 'none'" not in response.get("Content-Security-Policy", ""):
            problems.append(f"{what} as {persona}: no CSP")
    return problems


class RolledBackError(Exception):
    pass


def run_cell(world, route: str, name: str | None, persona: str) -> list[str]:
    """One URL as one persona, GET then POST, inside a savepoint that is rolled back so every
    cell starts from the same world. Returns what did not match."""
    problems: list[str] = []
    path = concrete_path(route, name, world)
    like = LIKE.get(persona, persona)
    cells = EXPECTED[row_key(route, name)]
    expected_get, expected_post = cells.get(persona) or cells[like]
    cache.clear()  # rate limits and sessions in Redis start afresh, like the database
    try:
        with transaction.atomic():
            client = client_for(persona, world)
            writes, logged = writes_so_far(), AccessEvent.objects.count()
            response = client.get(path)
            if outcome(response) != expected_get:
                problems.append(
                    f"GET {path} as {persona}: {outcome(response)}, expected {expected_get}"
                )
            if writes_so_far() != writes:
                problems.append(f"GET {path} as {persona} changed the database")
            logs = LOGGED.get(row_key(route, name), {})
            expected_logged = logs.get(persona, logs.get(like, 0))
            if AccessEvent.objects.count() - logged != expected_logged:
                problems.append(
                    f"GET {path} as {persona}: wrote "
                    f"{AccessEvent.objects.count() - logged} access-log rows, "
                    f"expected {expected_logged}"
                )
            logged = AccessEvent.objects.count()
            problems += header_problems(response, persona, f"GET {path}")
            response = client.post(path)
            if outcome(response) != expected_post:
                problems.append(
                    f"POST {path} as {persona}: {outcome(response)}, expected {expected_post}"
                )
            logs = LOGGED_BY_POST.get(row_key(route, name), {})
            expected_logged = logs.get(persona, logs.get(like, 0))
            if AccessEvent.objects.count() - logged != expected_logged:
                problems.append(
                    f"POST {path} as {persona}: wrote "
                    f"{AccessEvent.objects.count() - logged} access-log rows, "
                    f"expected {expected_logged}"
                )
            raise RolledBackError
    except RolledBackError:
        pass
    return problems


def run_admin_cell(world, route: str, name: str | None, persona: str) -> list[str]:
    """Only the system administrator reaches the admin; everyone else is sent to sign in
    (or to enrol in two-factor) and never sees an admin page."""
    path = concrete_path(route, name, world)
    try:
        with transaction.atomic():
            client = client_for(persona, world)
            writes = writes_so_far()
            response = client.get(path)
            got = outcome(response)
            if LIKE.get(persona, persona) == SYSTEM_ADMINISTRATOR:
                ok = response.status_code in {200, 302, 403, 404, 405}
                ok = ok and writes_so_far() == writes
            elif persona == PASSWORD_ONLY:
                ok = got == ENROL
            elif name in {"admin:login", "admin:logout"}:
                # The sign-in page refuses a signed-in non-staff user; sign-out goes away.
                ok = response.status_code in {302, 403}
            else:
                ok = got in {ADMIN_LOGIN, LOGIN}
            raise RolledBackError(None if ok else f"GET {path} as {persona}: {got}")
    except RolledBackError as result:
        return [str(result.args[0])] if result.args and result.args[0] else []


class AuthorizationMatrix(TestCase):
    """One test per URL; each walks all personas against one shared world."""

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()


def _add_test(route: str, name: str | None) -> None:
    runner = run_admin_cell if is_admin(route) else run_cell

    def test(self):
        problems = [p for persona in PERSONAS for p in runner(self.world, route, name, persona)]
        assert problems == [], "\n".join(problems)

    slug = re.sub(r"\W+", "_", row_key(route, name)).strip("_")
    test.__name__ = f"test_{slug}"
    setattr(AuthorizationMatrix, test.__name__, test)


for _route, _name, _ in ROUTES:
    _add_test(_route, _name)


# --- Another panel's objects -------------------------------------------------------------

SECOND_PANEL_ROUTES = [
    (route, name)
    for route, name, _ in ROUTES
    if name
    and name.startswith(
        (
            "cases:case_",
            "cases:notification_",
            "cases:related_",
            "cases:transfer_",
            "agency_forms:form_request",
            "agency_forms:form_attachment",
        )
    )
    and ("<int:pk>" in route or "<int:case_pk>" in route)
]


class AnotherPanelsObjects(TestCase):
    """BEDS's administrator asks every object route for MK's case, notifications and
    spreadsheet by id: each is "not found" (GET and POST) and nothing is written."""

    @classmethod
    def setUpTestData(cls):
        from cases.services import transfer_offer
        from core.history import system_user
        from panels.services import panel_setup
        from tests.cases.factories import make_notification

        cls.world = build_world()
        system = system_user()
        third = panel_setup(code="LUT", name="A third panel", areas=["Luton"], by=system).panel
        offered = make_notification(cls.world.mk, system, area=cls.world.mk.areas.get())
        cls.elsewhere = transfer_offer(
            notification=offered, to_panel=third, reason="MK to a third panel", by=system
        )
        from cases.services import case_note_add
        from tests.security.world import written_export

        cls.mk_export = written_export(cls.world.people[OTHER_ADMINISTRATOR])  # MK's cases
        from agency_forms.services import form_requests_send

        [cls.mk_request] = form_requests_send(
            case=cls.world.mk_case,
            agencies=[cls.world.agency_b],
            supplementary=[],
            by=cls.world.people[OTHER_ADMINISTRATOR],
        )
        from agency_forms.services import form_attachment_add

        cls.mk_attachment = form_attachment_add(
            form_request=cls.mk_request,
            name="mk.pdf",
            content=b"%PDF-1.4 MK's report",
            description="",
            by=cls.world.people[AGENCY_B_USER],
        )
        cls.mk_note = case_note_add(
            case=cls.world.mk_case,
            kind="call",
            occurred_on=cls.world.mk_case.date_notified,
            text="A call",
            by=cls.world.people[OTHER_ADMINISTRATOR],
        )

    def test_every_object_route_hides_another_panels_objects(self):
        world = self.world
        problems = []
        for route, name in SECOND_PANEL_ROUTES:
            pk = world.mk_notification.pk if "notification" in name else world.mk_case.pk
            if name.startswith("cases:case_export_"):
                pk = self.mk_export.pk
            if name.startswith("agency_forms:form_"):
                pk = self.mk_request.pk
            if name in ("agency_forms:form_attachment", "agency_forms:form_attachment_remove"):
                pk = self.mk_attachment.pk
            values = {
                "pk": self.elsewhere.pk if "transfer" in name else pk,
                "case_pk": world.mk_case.pk,
                "other_pk": world.mk_notification.pk,
                "note_pk": self.mk_note.pk,
                "section": "child",
                "action": "gather",
                "key": "A",
            }
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]), route)
            client = client_for(ADMINISTRATOR, world)
            writes = writes_so_far()
            # 405 answers a method the page does not serve, whatever the id; the method it
            # serves must say "not found".
            got = client.get(path).status_code
            posted = client.post(path, {"reason": "test", "to_panel": world.beds.pk}).status_code
            if {got, posted} - {404, 405} or 404 not in {got, posted}:
                problems.append(f"{path}: GET {got}, POST {posted}")
            if writes_so_far() != writes:
                problems.append(f"{path} wrote to the database")
        assert SECOND_PANEL_ROUTES
        assert problems == [], "\n".join(problems)
