"""The site's URLs: the composition root mounts the infrastructure and both apps."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from mastermind.accounts import views as account_views
from mastermind.ops import views as ops_views
from mastermind.pages import views as page_views
from mastermind.privacy import views as privacy_views

admin.site.site_header = _("Mastermind organiser")
admin.site.site_title = _("Mastermind")
admin.site.index_title = _("Organise intakes, groups and meetings")

urlpatterns = [
    path("", page_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("imprint/", page_views.page("pages/imprint.html"), name="imprint"),
    path("privacy/", page_views.page("pages/privacy.html"), name="privacy"),
    path("privacy/my-data/", privacy_views.my_data, name="privacy_my_data"),
    path("privacy/my-data.json", privacy_views.export_data, name="privacy_export"),
    path("privacy/delete-account/", privacy_views.delete_account, name="privacy_delete"),
    path(
        "accounts/login/code/",
        account_views.request_login_code,
        name="account_request_login_code",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("groups.urls")),
    path("", include("meetings.urls")),
]
