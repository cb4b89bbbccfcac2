from django.urls import path

from agency_forms import views

app_name = "agency_forms"

urlpatterns = [
    path("forms/dictionary/", views.data_dictionary, name="data_dictionary"),
    path("forms/dictionary.csv", views.data_dictionary_csv, name="data_dictionary_csv"),
    path("cases/<int:case_pk>/forms/ask/", views.form_requests_new, name="form_requests_new"),
    path("forms/requests/<int:pk>/change/", views.form_request_change, name="form_request_change"),
    path("forms/requests/", views.my_requests_list, name="my_requests"),
    path("forms/requests/<int:pk>/", views.form_request_detail, name="form_request_detail"),
    path(
        "forms/requests/<int:pk>/sections/<slug:key>/",
        views.form_request_section,
        name="form_request_section",
    ),
    path("forms/requests/<int:pk>/check/", views.form_request_check, name="form_request_check"),
    path("forms/requests/<int:pk>/return/", views.form_request_return, name="form_request_return"),
    path(
        "forms/requests/<int:pk>/reassign/",
        views.form_request_reassign,
        name="form_request_reassign",
    ),
    path(
        "forms/requests/<int:pk>/attachments/new/",
        views.form_attachment_new,
        name="form_attachment_new",
    ),
    path("forms/attachments/<int:pk>/", views.form_attachment_download, name="form_attachment"),
    path(
        "forms/attachments/<int:pk>/remove/",
        views.form_attachment_remove,
        name="form_attachment_remove",
    ),
    path("forms/outstanding/", views.outstanding, name="outstanding"),
]
