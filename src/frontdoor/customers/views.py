from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from frontdoor.cases.selectors import customer_cases, customer_contacts
from frontdoor.core.access import staff_required
from frontdoor.customers.forms import CustomerDetailsForm, CustomerForm
from frontdoor.customers.selectors import customer_get_for, customers_search
from frontdoor.customers.services import customer_create, customer_details_add


@staff_required
def customer_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    searched_by, results = customers_search(request.user, query=query)
    return render(
        request,
        "customers/search.html",
        {
            "query": query,
            "searched_by": searched_by,
            "results": results,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        customer = customer_create(draft=form.draft())
        messages.success(request, f"{customer.display_name} added")
        return redirect("console:customer_detail", customer_id=customer.pk)
    return render(request, "customers/new.html", {"form": form})


@staff_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_for(request.user, customer_id=customer_id)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "cases": customer_cases(request.user, customer_id=customer.pk)[:50],
            "contacts": customer_contacts(request.user, customer_id=customer.pk)[:50],
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def customer_details_new(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_for(request.user, customer_id=customer_id)
    form = CustomerDetailsForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        customer_details_add(
            customer=customer,
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            address=form.address(),
        )
        messages.success(request, "Contact details added")
        return redirect("console:customer_detail", customer_id=customer.pk)
    return render(request, "customers/details_new.html", {"form": form, "customer": customer})
