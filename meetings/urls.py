from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/papers-open/", views.papers_release, name="papers_release"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/run/", views.meeting_run, name="meeting_run"),
    path("meetings/<int:pk>/declarations/", views.declaration_new, name="declaration_new"),
    path("meetings/<int:pk>/finish/", views.meeting_finish, name="meeting_finish"),
    path(
        "meetings/invitations/<int:pk>/remove/",
        views.invitation_remove,
        name="invitation_remove",
    ),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("meetings/<int:pk>/papers.pdf", views.meeting_papers_pdf, name="meeting_papers_pdf"),
    path("meetings/forms/<int:pk>/redact/", views.form_redact, name="form_redact"),
    path("meetings/follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("meetings/digests/", views.digest_list, name="digest_list"),
    path("meetings/digests/<int:pk>/", views.digest_edit, name="digest_edit"),
    path("meetings/digests/<int:pk>/digest.pdf", views.digest_pdf, name="digest_pdf"),
    path(
        "meetings/follow-ups/<int:pk>/letter.pdf", views.follow_up_letter, name="follow_up_letter"
    ),
    path("meetings/follow-ups/<int:pk>/sent/", views.follow_up_sent, name="follow_up_sent"),
    path("meetings/actions/", views.action_list, name="action_list"),
    path("meetings/actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("meetings/agenda/<int:pk>/", views.item_papers, name="item_papers"),
    path("meetings/agenda/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("meetings/agenda/<int:pk>/move/<str:direction>/", views.item_move, name="item_move"),
    path("meetings/agenda/<int:pk>/time/", views.item_time, name="item_time"),
    path("meetings/agenda/<int:pk>/defer/", views.item_defer, name="item_defer"),
    path("meetings/agenda/<int:pk>/reveal/", views.item_reveal, name="item_reveal"),
]
