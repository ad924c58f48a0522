"""The site's URLs: the composition root mounts the infrastructure and both apps."""

from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from mastermind.accounts import views as account_views
from mastermind.core.admin import harden_admin_site
from mastermind.ops import views as ops_views
from mastermind.pages import errors as page_errors
from mastermind.pages import views as page_views
from mastermind.privacy import views as privacy_views

admin.site.site_header = _("Mastermind organiser")
admin.site.site_title = _("Mastermind")
admin.site.index_title = _("Organise intakes, groups and meetings")
harden_admin_site(admin.site)  # also the admins of Django and allauth
admin.site.index_template = "admin/organiser_index.html"
# The lists get the full width at 1280 px; the index and the breadcrumbs lead everywhere.
admin.site.enable_nav_sidebar = False

handler400 = "mastermind.pages.errors.bad_request"
handler403 = "mastermind.pages.errors.permission_denied"
handler404 = "mastermind.pages.errors.page_not_found"
handler500 = "mastermind.pages.errors.server_error"

# Only the allauth pages the app uses: sign-in by password or emailed code, sign-out, the
# password reset (linked from the sign-in page) and email confirmation (staff accounts
# made without a verified address). Not routed: managing email addresses, setting or
# changing the password, re-authentication; members never need them, and /accounts/email/
# would let anyone signed in make the site email any address.
account_urlpatterns = [
    path("login/", allauth_views.login, name="account_login"),
    path("logout/", allauth_views.logout, name="account_logout"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    # Sign-up is closed (accounts come from accepted applications): the page says so.
    path("signup/", require_safe(allauth_views.signup), name="account_signup"),
    path(
        "login/code/",
        account_views.request_login_code,
        name="account_request_login_code",
    ),
    path(
        "login/code/confirm/",
        allauth_views.confirm_login_code,
        name="account_confirm_login_code",
    ),
    path(
        "confirm-email/",
        allauth_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    re_path(
        r"^confirm-email/(?P<key>[-:\w]+)/$",
        allauth_views.confirm_email,
        name="account_confirm_email",
    ),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path(
        "password/reset/done/",
        allauth_views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]

urlpatterns = [
    path("", page_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("imprint/", page_views.page("pages/imprint.html"), name="imprint"),
    path("privacy/", page_views.page("pages/privacy.html"), name="privacy"),
    # The branded error pages, viewable in development (404 unless DEBUG is on).
    path("_errors/<int:status>/", page_errors.preview, name="error_preview"),
    path("privacy/my-data/", privacy_views.my_data, name="privacy_my_data"),
    path("privacy/my-data.json", privacy_views.export_data, name="privacy_export"),
    path("privacy/delete-account/", privacy_views.delete_account, name="privacy_delete"),
    path("accounts/", include(account_urlpatterns)),
    # The organiser signs in where everyone does: allauth's rate-limited sign-in.
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/", admin.site.admin_view(ops_views.admin_index), name="organiser_index"),
    path("admin/", admin.site.urls),
    path("", include("groups.urls")),
    path("", include("meetings.urls")),
]
