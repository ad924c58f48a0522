from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.utils.translation import gettext_lazy as _

from mastermind.accounts.models import FailedSignIn, User
from mastermind.core.admin import SafeAdminMixin


@admin.register(User)
class UserAdmin(SafeAdminMixin, DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "language", "time_zone", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_active", "language")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


# Organisers are staff with full rights; Django's permission groups would only sit next
# to our mastermind groups under the same name and confuse.
admin.site.unregister(PermissionGroup)


@admin.register(FailedSignIn)
class FailedSignInAdmin(SafeAdminMixin, admin.ModelAdmin):
    """Wrong passwords of the last 30 days, for the organiser to notice an attack."""

    list_display = ("attempted_at", "email", "address")
    list_filter = (("attempted_at", admin.DateFieldListFilter),)
    search_fields = ("email", "address")
    date_hierarchy = "attempted_at"
    readonly_fields = ("attempted_at", "email", "address")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
