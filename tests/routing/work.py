"""Building work for the routing tests: advisors, queued emails and what is offered."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from frontdoor.cases.models import Channel
from frontdoor.core.roles import Role
from frontdoor.directory.models import Skill, StaffMember, StaffSkill, Team
from frontdoor.routing.models import WorkItem
from frontdoor.routing.services import work_items_enqueue
from tests.factories import case_for


def advisor(username, *, skills, team="Customer Services"):
    """Another advisor like ava, with these skills (name: level)."""
    user = get_user_model().objects.create_user(username, first_name=username.title())
    member = StaffMember.objects.create(
        user=user, role=Role.ADVISOR, team=Team.objects.get(name=team)
    )
    for name, level in skills.items():
        StaffSkill.objects.create(staff=member, skill=Skill.objects.get(name=name), level=level)
    return get_user_model().objects.select_related("staff_member").get(pk=user.pk)


def queued(service_code="missed-bin", *, hours_ago=0, **draft):
    """An emailed case in the front office's queue, opened some hours ago."""
    case = case_for(
        service_code=service_code,
        channel=Channel.EMAIL,
        opened_at=timezone.now() - timedelta(hours=hours_ago),
        **draft,
    )
    work_items_enqueue(cases=[case])
    return WorkItem.objects.get(case=case)


def offered_to(user):
    return list(WorkItem.objects.filter(offered_to=user, status="offered"))
