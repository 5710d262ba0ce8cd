"""Configuration as data, kept by the system admin: community types with their targets, and resource standards."""

from django.contrib import admin

from .models import BalanceStandard, CommunityType, TypeTarget


class TypeTargetInline(admin.TabularInline):
    model = TypeTarget
    extra = 1


@admin.register(CommunityType)
class CommunityTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "region_type", "housing_form", "order")
    inlines = [TypeTargetInline]


@admin.register(BalanceStandard)
class BalanceStandardAdmin(admin.ModelAdmin):
    list_display = ("name", "numerator", "denominator", "per", "minimum", "unit")
