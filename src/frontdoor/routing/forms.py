import re
from typing import Any

from django import forms

from frontdoor.directory.models import ContactPoint
from frontdoor.routing.matching import condition_pattern
from frontdoor.routing.models import AdvisorState, RoutingRule, WorkItem, WorkQueue
from frontdoor.routing.selectors import advisors_to_give_work_to
from frontdoor.routing.services import ItemSeen


class RoutingRuleForm(forms.ModelForm):
    inboxes = forms.ModelMultipleChoiceField(
        queryset=ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL).exclude(
            status=ContactPoint.Status.RETIRED
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every inbox.",
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "position",
            "is_active",
            "inboxes",
            "matching",
            "sender",
            "subject",
            "body",
            "department",
            "service",
            "priority",
            "suppress_acknowledgement",
        ]
        labels = {
            "name": "Rule name",
            "position": "Order",
            "is_active": "The rule is in use",
            "matching": "How to match",
            "sender": "Sender contains",
            "subject": "Subject contains",
            "body": "Message contains",
            "department": "Send straight to department",
            "service": "Set the service",
            "priority": "Set the priority",
            "suppress_acknowledgement": "Do not send the automatic acknowledgement",
        }
        help_texts = {
            "sender": "For example: @bank.example.com",
            "subject": "For example: remittance advice, payment advice",
            "body": "Every condition you fill in must match.",
        }
        widgets = {"matching": forms.RadioSelect}

    def clean(self):
        data = super().clean() or {}
        conditions = [data.get(name, "") for name in ("sender", "subject", "body")]
        if not any(c.strip() for c in conditions):
            raise forms.ValidationError(
                "Fill in at least one of sender, subject or message: a rule with no "
                "conditions would catch every email."
            )
        for name in ("sender", "subject", "body"):
            try:
                condition_pattern(data.get(name, ""), data.get("matching", ""))
            except re.error as error:
                self.add_error(
                    name,
                    f"This is not a regular expression that can be used ({error}). "
                    "Correct it, or choose words or phrases.",
                )
        actions = [data.get("department"), data.get("service"), data.get("priority")]
        if not any(actions) and not data.get("suppress_acknowledgement"):
            raise forms.ValidationError(
                "Choose what the rule does: a department, a service, a priority, or no "
                "acknowledgement."
            )
        return data


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(
        label="Your status",
        choices=AdvisorState.Presence.choices,
        widget=forms.RadioSelect,
        help_text="Work is offered to you only while you are available.",
        error_messages={"required": "Choose your status", "invalid_choice": "Choose your status"},
    )


class _SeenForm(forms.Form):
    """What the team leader saw of the item, posted back so a move made on a stale view is
    refused rather than undoing someone else's."""

    seen_queue = forms.IntegerField(widget=forms.HiddenInput)
    seen_status = forms.CharField(widget=forms.HiddenInput)
    seen_holder = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_item(cls, item: WorkItem, **kwargs: Any) -> Any:
        seen = ItemSeen.of(item)
        initial = {
            "seen_queue": seen.queue_id,
            "seen_status": seen.status,
            "seen_holder": seen.holder_id,
        }
        return cls(initial=initial, **kwargs)

    def seen(self) -> ItemSeen:
        data = self.cleaned_data
        return ItemSeen(data["seen_queue"], data["seen_status"], data.get("seen_holder"))


class MoveForm(_SeenForm):
    queue = forms.ModelChoiceField(
        label="Move it to the queue",
        queryset=WorkQueue.objects.filter(is_active=True),
        empty_label="Choose a queue",
        error_messages={"required": "Choose the queue to move it to"},
    )


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class GiveForm(_SeenForm):
    advisor = AdvisorChoiceField(
        label="Give it to",
        queryset=advisors_to_give_work_to(),
        empty_label="Choose an advisor",
        error_messages={"required": "Choose who to give it to"},
    )
