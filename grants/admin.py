from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from grants.models import (
    CountryProject,
    Grant,
    GrantStatusChange,
    Milestone,
    MilestoneEvidence,
    Modification,
    Notification,
    Organisation,
    TargetGroup,
    Theme,
    User,
)


@admin.register(User)
class PortfolioUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "email", "role", "organisation", "is_active")
    list_filter = ("role", "organisation", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Role", {"fields": ("role", "organisation")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Role", {"fields": ("role", "organisation")}))


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "headquarters_country")
    list_filter = ("kind",)
    search_fields = ("name", "acronym")


@admin.register(Theme, TargetGroup)
class ReferenceItemAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order")
    list_editable = ("sort_order",)
    prepopulated_fields = {"code": ("name",)}


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Grants and their children change through the app's screens, where the rules and trail live.
    The admin shows them and their history but does not edit them."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Grant)
class GrantAdmin(ReadOnlyHistoryAdmin):
    list_display = ("award_number", "title", "grantee", "program_officer", "status", "obligated_amount")
    list_filter = ("status", "themes")
    search_fields = ("award_number", "title")
    list_select_related = ("grantee", "program_officer")


@admin.register(CountryProject)
class CountryProjectAdmin(ReadOnlyHistoryAdmin):
    list_display = ("grant", "country", "title", "budget")
    list_select_related = ("grant",)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "country_project", "category", "due_date", "status")
    list_filter = ("status", "category")
    list_select_related = ("country_project__grant",)


admin.site.register(Modification, ReadOnlyHistoryAdmin)
admin.site.register(GrantStatusChange, ReadOnlyHistoryAdmin)
admin.site.register(MilestoneEvidence, ReadOnlyHistoryAdmin)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The record of every notification and its email, for answering "was I told?"; rows are made only by
    the notification job (grants.notifications), never here."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "email_state", "emailed_at")
    list_filter = ("kind", "email_state")
    search_fields = ("key", "title", "recipient__username", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
