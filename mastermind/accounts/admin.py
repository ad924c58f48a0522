from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.utils.translation import gettext_lazy as _

from mastermind.accounts.models import User
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
