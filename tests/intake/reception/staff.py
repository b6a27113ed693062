from django.contrib.auth import get_user_model

from frontdoor.core.roles import Role
from frontdoor.directory.models import StaffMember


def front_desk_staff(count: int) -> list:
    """More advisors than the named people, for desks with many counters."""
    users = get_user_model().objects
    people = []
    for n in range(count):
        user = users.create(username=f"desk{n}", first_name="Desk", last_name=f"Person{n}")
        StaffMember.objects.create(user=user, role=Role.ADVISOR)
        people.append(user)
    return people
