from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kefu.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "is_staff", "is_active")
    list_filter = ("role", "is_staff", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Kefu", {"fields": ("role", "language")}))
