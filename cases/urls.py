from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.csv", views.case_export, {"file_format": "csv"}, name="case_export_csv"),
    path("cases/export.xlsx", views.case_export, {"file_format": "xlsx"}, name="case_export_xlsx"),
    path("cases/exports/", views.case_export_start, name="case_export_start"),
    path("cases/exports/<int:pk>/", views.case_export_status, name="case_export_status"),
    path(
        "cases/exports/<int:pk>/download/",
        views.case_export_download,
        name="case_export_download",
    ),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/details/", views.case_details_edit, name="case_details_edit"),
    path("cases/<int:pk>/viewed-by/", views.case_viewed_by, name="case_viewed_by"),
    path("cases/<int:pk>/processes/new/", views.related_process_new, name="related_process_new"),
    path("cases/<int:pk>/offer/", views.case_offer, name="case_offer"),
    path("cases/<int:pk>/notes/new/", views.case_note_new, name="case_note_new"),
    path("cases/<int:pk>/notes/<int:note_pk>/edit/", views.case_note_edit, name="case_note_edit"),
    path("cases/<int:pk>/<slug:action>/", views.case_transition, name="case_transition"),
    path("notifications/", views.triage, name="triage"),
    path("notifications/new/", views.notification_new, name="notification_new"),
    path("notifications/new/check/", views.notification_new_check, name="notification_new_check"),
    path(
        "notifications/new/<slug:section>/",
        views.notification_new_page,
        name="notification_new_page",
    ),
    path(
        "notifications/<int:pk>/edit/<slug:section>/",
        views.notification_edit,
        name="notification_edit",
    ),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path(
        "notifications/<int:pk>/open-case/",
        views.notification_open_case,
        name="notification_open_case",
    ),
    path(
        "notifications/<int:pk>/merge/<int:case_pk>/",
        views.notification_merge,
        name="notification_merge",
    ),
    path(
        "notifications/<int:pk>/distinct/<int:other_pk>/",
        views.notification_mark_distinct,
        name="notification_mark_distinct",
    ),
    path(
        "notifications/<int:pk>/release/", views.notification_release, name="notification_release"
    ),
    path(
        "notifications/<int:pk>/discard/", views.notification_discard, name="notification_discard"
    ),
    path(
        "notifications/<int:pk>/unmerge/", views.notification_unmerge, name="notification_unmerge"
    ),
    path(
        "notifications/<int:pk>/distinct/<int:other_pk>/undo/",
        views.notification_undo_distinct,
        name="notification_undo_distinct",
    ),
    path("notifications/<int:pk>/offer/", views.notification_offer, name="notification_offer"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", views.transfer_decline, name="transfer_decline"),
    path("transfers/<int:pk>/withdraw/", views.transfer_withdraw, name="transfer_withdraw"),
    path("notify/<str:code>/", views.public_notify, name="public_notify"),
    path("notify/<str:code>/check/", views.public_notify_check, name="public_notify_check"),
    path("notify/<str:code>/done/", views.public_notify_done, name="public_notify_done"),
    path("notify/<str:code>/<slug:section>/", views.public_notify_page, name="public_notify_page"),
]
