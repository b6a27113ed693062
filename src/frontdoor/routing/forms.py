import re

from django import forms

from frontdoor.directory.models import ContactPoint
from frontdoor.routing.matching import condition_pattern
from frontdoor.routing.models import AdvisorState, RoutingRule


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
