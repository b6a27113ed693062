from django.db.models import QuerySet
from django.http import Http404

from frontdoor.intake.webforms.models import FormSubmission, RequestForm


def forms_published() -> QuerySet[RequestForm]:
    return RequestForm.objects.filter(is_published=True).select_related("service")


def form_published(*, slug: str) -> RequestForm:
    form = forms_published().filter(slug=slug).first()
    if form is None:
        raise Http404("No such form")
    return form


def forms_over_open311() -> QuerySet[RequestForm]:
    """The published forms offered to apps as Open311 services (their slug is the service
    code), with their questions."""
    return (
        forms_published()
        .filter(offered_over_open311=True)
        .select_related("service__department", "contact_point")
        .prefetch_related("fields")
    )


def submission_of_case(*, case_id: int) -> FormSubmission | None:
    """The form a case was raised with, for its page (staff reach the case through
    cases_visible_to first)."""
    return FormSubmission.objects.select_related("form", "slot").filter(case_id=case_id).first()
