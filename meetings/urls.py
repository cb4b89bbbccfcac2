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
    path("meetings/agenda/<int:pk>/", views.item_papers, name="item_papers"),
    path("meetings/agenda/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("meetings/agenda/<int:pk>/move/<str:direction>/", views.item_move, name="item_move"),
    path("meetings/agenda/<int:pk>/time/", views.item_time, name="item_time"),
    path("meetings/agenda/<int:pk>/defer/", views.item_defer, name="item_defer"),
    path("meetings/agenda/<int:pk>/reveal/", views.item_reveal, name="item_reveal"),
]
