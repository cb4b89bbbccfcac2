from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from core import views as core_views
from home import views as home_views

# The admin's own sign-in form would skip two-factor: send it through allauth's instead.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "CDOP administration"
admin.site.site_title = "CDOP administration"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    # Not offered: self sign-up, and changing one's own sign-in address (administrators do).
    path("accounts/signup/", core_views.not_offered, name="signup_not_offered"),
    path("accounts/email/", core_views.not_offered, name="email_change_not_offered"),
    re_path(r"^accounts/confirm-email/", core_views.not_offered, name="email_confirm_not_offered"),
    path("accounts/", include("allauth.urls")),
    path("manage/", include("accounts.urls")),
    path("", include("cases.urls")),
    path("", include("agency_forms.urls")),
    path("", include("rapid_response.urls")),
    path("", include("meetings.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
