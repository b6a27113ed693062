from django.contrib import admin

from frontdoor.customers.models import Customer, CustomerAddress, CustomerEmail, CustomerPhone


class EmailInline(admin.TabularInline):
    model = CustomerEmail
    extra = 0


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0


class AddressInline(admin.TabularInline):
    model = CustomerAddress
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "created_at"]
    search_fields = ["family_key", "given_key"]
    show_full_result_count = False
    inlines = [EmailInline, PhoneInline, AddressInline]
    readonly_fields = ["family_key", "given_key", "merged_into"]
