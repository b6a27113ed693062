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

    # Customers change through the console (customers.services), which keeps the search keys
    # and normalised details right; here they can be looked at, not edited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
