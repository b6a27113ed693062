from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from frontdoor.core.roles import Role


class Department(models.Model):
    """A back-office team that owns services and receives forwarded cases."""

    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SLAPolicy(models.Model):
    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", "Working days"
        WORKING_HOURS = "working_hours", "Working hours"

    name = models.CharField(max_length=120, unique=True)
    unit = models.CharField(max_length=16, choices=Unit.choices, default=Unit.WORKING_DAYS)
    first_response_target = models.PositiveSmallIntegerField(
        help_text="How long until the customer hears back, in the unit above."
    )
    resolution_target = models.PositiveSmallIntegerField(
        help_text="How long until the case is resolved, in the unit above."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_response_target__lte=models.F("resolution_target")),
                name="sla_first_response_not_after_resolution",
            )
        ]

    def __str__(self) -> str:
        unit = self.get_unit_display().lower()
        return f"{self.name} ({self.first_response_target}/{self.resolution_target} {unit})"


class Skill(models.Model):
    """What an advisor must know to handle a service; grouped into family groups."""

    name = models.CharField(max_length=120, unique=True)
    family_group = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        ordering = ["family_group", "name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """Something residents ask for; owned by a department."""

    name = models.CharField(max_length=160, unique=True)
    code = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, default="")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="services")
    sla_policy = models.ForeignKey(SLAPolicy, on_delete=models.PROTECT, related_name="services")
    front_office_resolves = models.BooleanField(
        default=True, help_text="Customer services can resolve it at first point of contact."
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Only its department and managers given permission may see its cases.",
    )
    required_skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactPoint(models.Model):
    """A published way in: a phone number, an inbox, a form, a chat, a social account, a desk."""

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone number"
        EMAIL = "email", "Email inbox"
        WEB_FORM = "web_form", "Web form"
        E_FORM = "e_form", "E-form"
        CHAT = "chat", "Chat"
        SOCIAL = "social", "Social media account"
        RECEPTION = "reception", "Reception desk"
        OPEN311 = "open311", "Open311 client"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        UNDER_REVIEW = "under_review", "Under review"
        RETIRED = "retired", "Retired"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=160)
    address = models.CharField(
        max_length=254, help_text="The number, email address, web address, handle or location."
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_points"
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_points",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    published = models.BooleanField(default=True, help_text="Advertised on the website.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who last marked it for review, retired it or brought it back, and when.
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="contact_point_unique_address")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.address})"


# The most of each channel's work one advisor may hold at once: a team may set less.
CAPACITY_LIMITS = {"email": 10, "phone": 1, "chat": 6, "face_to_face": 1}


class Team(models.Model):
    """A front-office team (a family group of specialists, say) and how much work each of its
    advisors takes at once on each channel. Channels are separate: an advisor may be on a call
    while they hold an email."""

    name = models.CharField(max_length=120, unique=True)
    email_capacity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(CAPACITY_LIMITS["email"])],
        help_text="Emails and other written work held at once (web forms, letters, social "
        "posts). 1 means one email at a time. 0: the team takes none.",
    )
    phone_capacity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(CAPACITY_LIMITS["phone"])],
        help_text="Calls at once: 1, or 0 for a team that takes none.",
    )
    chat_capacity = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(CAPACITY_LIMITS["chat"])],
        help_text="Web chats at once.",
    )
    face_to_face_capacity = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(CAPACITY_LIMITS["face_to_face"])],
        help_text="Reception visitors at once: 1, or 0 for a team that does not staff the desk.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{channel}_capacity__lte": limit}),
                name=f"team_{channel}_capacity_limit",
            )
            for channel, limit in CAPACITY_LIMITS.items()
        ]

    def __str__(self) -> str:
        return self.name

    def capacity(self, channel: str) -> int:
        return int(getattr(self, f"{channel}_capacity"))


class StaffMember(models.Model):
    """A member of staff: their role decides what they may see and do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="Required for back-office officers: they see their department's cases.",
    )
    may_view_restricted = models.BooleanField(
        default=False,
        help_text="Managers only: may see restricted cases (e.g. social care) of every department.",
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="Advisors and team leaders: the team whose capacity they work to.",
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="staff", through="StaffSkill")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.BACK_OFFICE) | models.Q(department__isnull=False),
                name="staff_back_office_has_department",
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.MANAGER) | models.Q(may_view_restricted=False),
                name="staff_only_managers_granted_restricted",
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class StaffSkill(models.Model):
    """A skill a member of staff has, and how well."""

    class Level(models.IntegerChoices):
        LEARNING = 1, "Learning"
        SKILLED = 2, "Skilled"
        EXPERT = 3, "Expert"

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="staff_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="staff_skills")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.SKILLED)

    class Meta:
        ordering = ["skill__family_group", "skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "skill"], name="staff_skill_once"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="staff_skill_level_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display().lower()})"


class StaffAbsence(models.Model):
    """A time a member of staff is away: planned (leave, training) or not (sickness, an
    emergency), and who covers. While it lasts nobody may forward or assign work to them,
    and the queues offer them none.

    An unplanned absence may be open-ended: it lasts until someone says they are back."""

    class Kind(models.TextChoices):
        PLANNED = "planned", "Planned (leave, training)"
        UNPLANNED = "unplanned", "Unplanned (sickness, emergency)"

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="absences",
        db_index=False,  # staff_absence_span leads with it
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until they are back.")
    # Seen by those who record absences only: the reason for sickness is nobody else's.
    reason = models.CharField(max_length=200, blank=True, default="")
    cover = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covering",
        help_text="Who takes their work meanwhile.",
    )
    cover_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Or the team whose inbox takes it.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # Who said they were back (or that it would not happen), and when: the record is kept.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False, help_text="Withdrawn before it began.")

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # absence_of: is this person away at this moment?
            models.Index(fields=["staff", "starts_at", "ends_at"], name="staff_absence_span"),
            # absences_current: who is away now or soon, soonest back first
            models.Index(fields=["ends_at", "starts_at"], name="staff_absence_ends"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="staff_absence_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(cover=models.F("staff")),
                name="staff_absence_not_own_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} away from {self.starts_at:%d %b %Y}"
