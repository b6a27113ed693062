import pytest

from frontdoor.notify.models import NotifyTemplate


@pytest.fixture
def notify_templates(notify_server, db):
    """The simplest Notify set-up a council makes: one email and one text template whose
    content is the council's own wording, used for every message."""
    sms = notify_server.template_add("sms", "((body))")
    email = notify_server.template_add("email", "((body))", subject="((subject))")
    NotifyTemplate.objects.create(channel="sms", template_id=sms)
    NotifyTemplate.objects.create(channel="email", template_id=email)
    return {"sms": sms, "email": email}
