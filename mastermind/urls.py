from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from mastermind.pages import views
from mastermind.privacy import views as views_privacy

admin.site.site_header = _("Mastermind organiser")
admin.site.site_title = _("Mastermind")
admin.site.index_title = _("Organise intakes, groups and meetings")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("imprint/", views.page("pages/imprint.html"), name="imprint"),
    path("privacy/", views.page("pages/privacy.html"), name="privacy"),
    path("privacy/my-data/", views_privacy.my_data, name="privacy_my_data"),
    path("privacy/my-data.json", views_privacy.export_data, name="privacy_export"),
    path("privacy/delete-account/", views_privacy.delete_account, name="privacy_delete"),
    path("accounts/login/code/", views.request_login_code, name="account_request_login_code"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("groups.urls")),
    path("", include("meetings.urls")),
]
