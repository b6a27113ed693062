from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from frontdoor.customers.models import Customer
from frontdoor.intake.reception.models import DeskService


class _DeskServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.service)


class TicketIssueForm(forms.Form):
    service = _DeskServiceChoice(
        label="What has the visitor come about?",
        queryset=DeskService.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the service the visitor has come about"},
    )
    visitor_name = forms.CharField(
        label="Visitor's name (optional)",
        max_length=120,
        required=False,
        help_text="Staff see it; the waiting-room screen shows only the ticket number",
        error_messages={"max_length": "Enter a name of 120 characters or fewer"},
    )
    # Set when the ticket is issued from a customer's record (?customer=<id>).
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self, *args: Any, offered: QuerySet[DeskService], customers: QuerySet[Customer], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = offered
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = customers


class _ServiceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.service)


class TicketCallForm(forms.Form):
    counter = forms.CharField(
        label="Your counter",
        max_length=40,
        help_text="The waiting-room screen sends the visitor here, like Desk 2",
        error_messages={
            "required": "Enter the counter you are at, like Desk 2",
            "max_length": "Enter a counter name of 40 characters or fewer",
        },
    )
    services = _ServiceChoices(
        label="Only call visitors for (optional)",
        queryset=DeskService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked to call whoever has waited longest",
    )

    def __init__(self, *args: Any, offered: QuerySet[DeskService], **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ModelMultipleChoiceField, self.fields["services"]).queryset = offered

    def service_ids(self) -> list[int]:
        return [desk_service.service_id for desk_service in self.cleaned_data["services"]]
