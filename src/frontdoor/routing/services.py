from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from frontdoor.cases.models import OPEN_STATUSES, Case, Channel
from frontdoor.cases.services import (
    CaseTransitionError,
    case_assign,
    case_forward,
    case_note_add,
    case_release,
)
from frontdoor.core.formatting import when
from frontdoor.core.memo import ConfigMemo
from frontdoor.core.roles import FRONT_OFFICE_ROLES
from frontdoor.directory.models import Team
from frontdoor.directory.selectors import absence_of, absence_refusal, absences_at
from frontdoor.routing.models import (
    AdvisorState,
    RoutingRule,
    WorkChannel,
    WorkItem,
    WorkOffer,
    WorkQueue,
)
from frontdoor.routing.selectors import may_take_work

log = logging.getLogger(__name__)


@transaction.atomic
def rule_save(*, rule: RoutingRule, inbox_ids: list[int], actor: Any) -> RoutingRule:
    """Save a rule the form has validated, with the inboxes it is limited to."""
    rule.updated_by = actor
    rule.save()
    rule.inboxes.set(inbox_ids)
    return rule


@transaction.atomic
def rule_delete(*, rule: RoutingRule) -> None:
    rule.delete()


@transaction.atomic
def routing_apply(*, case: Case, rule: RoutingRule) -> Case:
    """Send a new case where the rule that caught it says, and note the rule on its timeline.
    (Mail intake opens the case with the rule recorded: CaseDraft.routed_by.)"""
    if case.routed_by_id != rule.pk:
        case.routed_by = rule
        case.save(update_fields=["routed_by", "updated_at"])
    department = rule.department
    note = f"Keyword routing rule “{rule.name}” matched"
    if department is not None and not (
        case.status == Case.Status.FORWARDED and case.department_id == department.pk
    ):
        try:
            return case_forward(
                case=case,
                actor=None,
                department=department,
                reason=f"Sent straight to {department.name} by the keyword routing rule "
                f"“{rule.name}”",
                channel=Channel.EMAIL,
                # the acknowledgement of the email that opened it tells the customer
                tell_customer=False,
            )
        except ValidationError as error:
            # e.g. a restricted case stays with its own department; say so on the case.
            note += f", but the case could not go to {department.name}: " + "; ".join(
                error.messages
            )
    case_note_add(case=case, actor=None, text=note, channel=Channel.EMAIL)
    return case


# --- Work distribution ---------------------------------------------------------------------
#
# A case that needs the front office waits as a WorkItem in a queue. The dispatcher (the
# worker runs it every second) offers each free advisor, longest idle first, the waiting item
# due soonest that they have the skill and room for; "next work" takes one on demand. Every
# claim is one short transaction that takes the advisor's state row first (so one advisor's
# two tabs cannot overfill them) and then the item: with FOR UPDATE SKIP LOCKED on
# PostgreSQL, so claimers racing for the head of a queue each take a different item; on
# SQLite the whole transaction holds the write lock (transaction_mode IMMEDIATE).

W = WorkItem.Status
OPEN_WORK = WorkItem.OPEN
# Live contact is held as its own channel; all written work (forms, letters, posts) as email.
_WORK_CHANNEL = {
    Channel.PHONE: WorkChannel.PHONE,
    Channel.CHAT: WorkChannel.CHAT,
    Channel.FACE_TO_FACE: WorkChannel.FACE_TO_FACE,
}
# An advisor whose workspace has not been heard from for this long has gone: set offline.
ADVISOR_GONE_AFTER = timedelta(seconds=90)


def work_channel_of(channel: str) -> str:
    return _WORK_CHANNEL.get(Channel(channel), WorkChannel.EMAIL)


def _front_office_needs(case: Case) -> bool:
    """Open and never sent to a department: the front office's to answer."""
    return case.is_open and case.forwarded_at is None


@transaction.atomic(savepoint=False)  # its caller's transaction, as cases.services.cases_open
def work_items_enqueue(
    *, cases: Sequence[Case], at: datetime | None = None, just_opened: bool = False
) -> int:
    """Put each case that needs the front office in its queue, unless it is in one already
    (which cases opened in the caller's transaction, just_opened, cannot be). Returns how
    many were queued."""
    at = at or timezone.now()
    wanted = {case.pk: case for case in cases if _front_office_needs(case)}
    if not wanted:
        return 0
    queued = (
        set()
        if just_opened
        else set(
            WorkItem.objects.filter(case_id__in=wanted, status__in=OPEN_WORK).values_list(
                "case_id", flat=True
            )
        )
    )
    queues = work_queues_active()
    items = []
    for case in wanted.values():
        if case.pk in queued:
            continue
        channel = work_channel_of(case.channel)
        queue = _queue_for(queues, channel=channel, service_id=case.service_id)
        if queue is None:
            log.warning("No work queue takes %s work for %s; %s waits", channel, case.service, case)
            continue
        items.append(
            WorkItem(
                queue=queue,
                case=case,
                channel=channel,
                skill_id=case.service.required_skill_id,
                minimum_skill_level=queue.minimum_skill_level,
                priority=case.priority,
                due_at=case.resolution_due if case.first_responded_at else case.first_response_due,
                created_at=at,
            )
        )
    # A racing receiver may have queued one of them since: the constraint keeps it once.
    WorkItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


@dataclass(frozen=True)
class _QueueChoice:
    queue: WorkQueue
    service_ids: frozenset[int]


_queues_memo = ConfigMemo("work queues", models=("routing.WorkQueue",))


def work_queues_active() -> list[_QueueChoice]:
    def load() -> list[_QueueChoice]:
        queues = WorkQueue.objects.filter(is_active=True).prefetch_related("services")
        return [_QueueChoice(q, frozenset(s.pk for s in q.services.all())) for q in queues]

    return _queues_memo.get("active", load)


def _queue_for(queues: list[_QueueChoice], *, channel: str, service_id: int) -> WorkQueue | None:
    """The first queue of the channel that names the service, else the first that names none."""
    of_channel = [q for q in queues if q.queue.channel == channel]
    named = next((q.queue for q in of_channel if service_id in q.service_ids), None)
    return named or next((q.queue for q in of_channel if not q.service_ids), None)


def work_items_end(*, case_id: int, at: datetime) -> None:
    """The case no longer needs the front office: whoever held its work is free of it.

    Every answer, forward and resolution calls this. On PostgreSQL it is one statement (the
    items locked, ended, their offer withdrawn and their advisor's idle time begun); on SQLite
    _items_end below does the same step by step."""
    if connection.vendor == "postgresql":
        _items_end_in_one_statement(case_id, at)
    else:
        _items_end(case_id, at)


def _items_end_in_one_statement(case_id: int, at: datetime) -> None:
    items, offers, states = _table(WorkItem), _table(WorkOffer), _table(AdvisorState)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH ending AS ("  # noqa: S608
            f"  SELECT id, status, offered_to_id, assigned_to_id FROM {items}"
            f"  WHERE case_id = %s AND status IN (%s, %s, %s) FOR UPDATE"
            f"), done AS ("
            f"  UPDATE {items} w SET status = %s, offered_to_id = NULL, offer_expires_at = NULL,"
            f"  assigned_to_id = NULL, assigned_at = NULL, ended_at = %s"
            f"  FROM ending WHERE w.id = ending.id"
            f"  RETURNING ending.id, ending.status AS was, ending.offered_to_id,"
            f"  COALESCE(ending.assigned_to_id, ending.offered_to_id) AS holder"
            f"), withdrawn AS ("
            f"  UPDATE {offers} o SET answer = %s, answered_at = %s FROM done"
            f"  WHERE done.was = %s AND o.item_id = done.id AND o.advisor_id = done.offered_to_id"
            f"  AND o.answer = ''"
            f") UPDATE {states} s SET idle_since = %s FROM done WHERE s.user_id = done.holder",
            [
                case_id,
                *OPEN_WORK,
                W.DONE,
                at,
                WorkOffer.Answer.WITHDRAWN,
                at,
                W.OFFERED,
                at,
            ],
        )


@transaction.atomic
def _items_end(case_id: int, at: datetime) -> None:
    for item in WorkItem.objects.select_for_update().filter(case_id=case_id, status__in=OPEN_WORK):
        if item.status == W.OFFERED:
            _offer_answer(item, WorkOffer.Answer.WITHDRAWN, at)
        holder = item.assigned_to_id or item.offered_to_id
        _item_free(item, W.DONE)
        item.ended_at = at
        item.save(update_fields=[*_HOLD_FIELDS, "status", "ended_at"])
        if holder is not None:
            _advisor_idle_from(holder, at)


_HOLD_FIELDS = ["offered_to", "offer_expires_at", "assigned_to", "assigned_at"]


def _item_free(item: WorkItem, status: str) -> None:
    item.status = status
    item.offered_to = item.assigned_to = None
    item.offer_expires_at = item.assigned_at = None


def _offer_answer(item: WorkItem, answer: str, at: datetime) -> None:
    WorkOffer.objects.filter(item=item, advisor_id=item.offered_to_id, answer="").update(
        answer=answer, answered_at=at
    )


def _advisor_idle_from(user_id: int, at: datetime) -> None:
    """Free advisors are offered work longest idle first: this one's wait starts now."""
    AdvisorState.objects.filter(user_id=user_id).update(idle_since=at)


@dataclass(frozen=True)
class AdvisorProfile:
    """What decides the work an advisor may be given: their skills and room per channel."""

    user: Any
    capacity: dict[str, int]
    skills: dict[int, int]  # skill id: level

    @property
    def user_id(self) -> int:
        return int(self.user.pk)

    def skill_levels(self) -> list[tuple[int, int]]:
        """Each (skill, level) of work the advisor may be given: every level up to theirs."""
        return [
            (skill_id, level)
            for skill_id, best in self.skills.items()
            for level in range(1, best + 1)
        ]

    def eligible(self) -> Q:
        can = Q(skill__isnull=True)
        for skill_id, level in self.skills.items():
            can |= Q(skill_id=skill_id, minimum_skill_level__lte=level)
        return can


def advisor_profile(user: Any) -> AdvisorProfile:
    member = user.staff_member
    team = member.team or Team()  # no team: the defaults (one email at a time)
    return AdvisorProfile(
        user=user,
        capacity={channel: team.capacity(channel) for channel in WorkChannel.values},
        skills=dict(member.staff_skills.values_list("skill_id", "level")),
    )


def _state_locked(user_id: int, at: datetime) -> AdvisorState:
    """The advisor's state row, locked: one advisor's claims (two tabs, the dispatcher and a
    click) take it in turn."""
    locked = AdvisorState.objects.select_for_update()
    try:
        return locked.get(user_id=user_id)
    except AdvisorState.DoesNotExist:
        AdvisorState.objects.get_or_create(
            user_id=user_id, defaults={"presence_since": at, "idle_since": at}
        )
        return locked.get(user_id=user_id)


# The claim, written out: the hottest statements of the engine, where the ORM spent more
# time building queries than the database took to run them. Names come from the models;
# every value is a parameter.
#
# Choosing: one index probe (work_item_choice, LIMIT 1) for each skill and level the advisor
# may do, and one for work that needs no skill; the soonest of those few is the next item.
# However long the queues, that is a handful of index seeks, not a walk along the queue
# past work the advisor may not do.
#
# Taking: a conditional UPDATE of that one row, which on PostgreSQL skips it if another
# claimer has just locked it (SKIP LOCKED), and then the next is chosen. On SQLite the
# transaction holds the write lock, so the row chosen is the row taken.
_RETURNED = [
    f.attname
    for f in WorkItem._meta.concrete_fields  # in the model's order, as from_db wants them
    if f.attname in {"id", "queue_id", "case_id", "channel", "skill_id", "priority", "status"}
]
_TAKE_ATTEMPTS = 5


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _advisor_lock(user_id: int, at: datetime) -> None:
    """Lock the advisor's state row (made if they have none yet): one advisor's claims (two
    tabs, the dispatcher and a click) take it in turn. On SQLite the write lock does that."""
    table = _table(AdvisorState)
    for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE user_id = %s{for_update}", [user_id])  # noqa: S608
        if cursor.fetchone() is None:
            _state_locked(user_id, at)


def _room(profile: AdvisorProfile, channel: str) -> tuple[str, list[Any]]:
    """A condition: the advisor holds less of the channel's work than their capacity. It must
    be read in a statement begun after the advisor's lock was had (under READ COMMITTED a
    statement sees what was committed when it began, even if it then waited for a lock)."""
    items = _table(WorkItem)
    sql = (
        f"(SELECT COUNT(*) FROM {items} WHERE offered_to_id = %s AND status = %s "  # noqa: S608
        f"AND channel = %s) + (SELECT COUNT(*) FROM {items} WHERE assigned_to_id = %s "
        f"AND status = %s AND channel = %s) < %s"
    )
    user_id = profile.user_id
    capacity = profile.capacity.get(channel, 0)
    return sql, [user_id, W.OFFERED, channel, user_id, W.ASSIGNED, channel, capacity]


def _choice(profile: AdvisorProfile, channel: str, passed_over: list[int]) -> tuple[str, list[Any]]:
    """A query for the id of the waiting item due soonest (then most urgent, then oldest) that
    the advisor may do and has not declined, leaving out those passed over (taken meanwhile)."""
    items, offers = _table(WorkItem), _table(WorkOffer)
    pairs = profile.skill_levels()
    skip = f" AND w.id NOT IN ({', '.join(['%s'] * len(passed_over))})" if passed_over else ""
    shared = [W.WAITING, channel]
    unclaimed = [*passed_over, profile.user_id, WorkOffer.Answer.DECLINED]

    def probe(condition: str) -> str:
        """The next waiting item of one kind, through work_item_choice."""
        return (
            f"SELECT w.id, w.due_at, w.priority, w.created_at FROM {items} w "  # noqa: S608
            f"WHERE w.status = %s AND w.channel = %s AND {condition}{skip} "
            f"AND NOT EXISTS (SELECT 1 FROM {offers} o WHERE o.item_id = w.id "
            f"AND o.advisor_id = %s AND o.answer = %s) "
            f"ORDER BY w.due_at, w.priority, w.created_at, w.id LIMIT 1"
        )

    branches = [f"SELECT * FROM ({probe('w.skill_id IS NULL')}) AS anyone"]  # noqa: S608
    params: list[Any] = [*shared, *unclaimed]
    if pairs and connection.vendor == "postgresql":
        # One probe, planned once, for each (skill, level) pair: PostgreSQL took longer to
        # plan one probe per pair than to run them.
        values = ", ".join(["(%s::bigint, %s::smallint)"] * len(pairs))
        branches.append(
            f"SELECT c.* FROM (VALUES {values}) AS k(skill_id, level) CROSS JOIN LATERAL "  # noqa: S608
            f"({probe('w.skill_id = k.skill_id AND w.minimum_skill_level = k.level')}) AS c"
        )
        params += [*(v for pair in pairs for v in pair), *shared, *unclaimed]
    else:
        for number, (skill_id, level) in enumerate(pairs):
            condition = "w.skill_id = %s AND w.minimum_skill_level = %s"
            branches.append(f"SELECT * FROM ({probe(condition)}) AS p{number}")  # noqa: S608
            params += [*shared, skill_id, level, *unclaimed]
    sql = (
        f"SELECT id FROM ({' UNION ALL '.join(branches)}) AS candidates "  # noqa: S608
        f"ORDER BY due_at, priority, created_at, id LIMIT 1"
    )
    return sql, params


def _take(profile: AdvisorProfile, channel: str, *, offer: bool, at: datetime) -> WorkItem | None:
    """Take the next item for the advisor (see _choice), if there is one and they have room
    for it. The caller holds the advisor's lock (_advisor_lock)."""
    ops = connection.ops
    if offer:
        # Each queue's own push timeout, whether or not the queue still takes new work (its
        # waiting items are still given out): when the offer ends depends on the item chosen.
        timeouts = _push_timeouts()
        holding = (
            "offered_to_id = %s, offer_expires_at = CASE queue_id "
            + "WHEN %s THEN %s " * len(timeouts)
            + "ELSE %s END"
        )
        held: list[Any] = [W.OFFERED, profile.user_id]
        for pk, seconds in timeouts.items():
            held += [pk, ops.adapt_datetimefield_value(at + timedelta(seconds=seconds))]
        held.append(ops.adapt_datetimefield_value(_offer_ends(None, at)))
    else:
        holding = "assigned_to_id = %s, assigned_at = %s"
        held = [W.ASSIGNED, profile.user_id, ops.adapt_datetimefield_value(at)]
    items = _table(WorkItem)
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update else ""
    returned = ", ".join(ops.quote_name(column) for column in _RETURNED)
    room, roomy = _room(profile, channel)
    update = f"UPDATE {items} SET status = %s, {holding} "  # noqa: S608
    # The row taken is checked again as it is updated: on PostgreSQL the UPDATE re-reads a
    # row another transaction changed meanwhile, so only a waiting item is ever taken.
    returning = f" AND status = %s AND {room} RETURNING {returned}"
    # Mostly one statement chooses, checks the advisor's room and takes. If it takes nothing,
    # because the advisor is full, nothing waits for them, or its choice was just locked by
    # another claimer (PostgreSQL), the next is chosen on its own and taken, until one is had.
    choose, choosing = _choice(profile, channel, [])
    taking = (
        f"WHERE id = (SELECT id FROM {items} WHERE id = ({choose}) AND status = %s{skip_locked})"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(
            update + taking + returning, [*held, *choosing, W.WAITING, W.WAITING, *roomy]
        )
        row = cursor.fetchone()
        passed_over: list[int] = []
        for _ in range(_TAKE_ATTEMPTS if row is None else 0):
            choose, choosing = _choice(profile, channel, passed_over)
            cursor.execute(f"SELECT ({choose}) WHERE {room}", [*choosing, *roomy])  # noqa: S608
            chosen = cursor.fetchone()
            if chosen is None or chosen[0] is None:
                return None  # full, or nothing they may do is waiting
            taking = (
                f"WHERE id = (SELECT id FROM {items} WHERE id = %s AND status = %s{skip_locked})"  # noqa: S608
            )
            cursor.execute(
                update + taking + returning, [*held, chosen[0], W.WAITING, W.WAITING, *roomy]
            )
            row = cursor.fetchone()
            if row is not None:
                break
            passed_over.append(chosen[0])
    if row is None:
        return None
    # What the statement returned and wrote; the rest (its dates) loads if someone reads it.
    item = WorkItem.from_db(connection.alias, _RETURNED, row)
    item.queue = queue = _queue_of(item.queue_id)
    if offer:
        item.offered_to = profile.user
        item.offer_expires_at = _offer_ends(queue, at)
    else:
        item.assigned_to, item.assigned_at = profile.user, at
    return item


_all_queues_memo = ConfigMemo("every work queue", models=("routing.WorkQueue",))


def _queues_all() -> dict[int, WorkQueue]:
    """Every queue, taking new work or not, by id (what the claim needs of a queue)."""
    return _all_queues_memo.get("all", lambda: WorkQueue.objects.in_bulk())


def _push_timeouts() -> dict[int, int]:
    return {pk: queue.push_timeout_seconds for pk, queue in _queues_all().items()}


def _queue_of(queue_id: int) -> WorkQueue:
    return _queues_all().get(queue_id) or WorkQueue.objects.get(pk=queue_id)


def _offer_ends(queue: WorkQueue | None, at: datetime) -> datetime:
    seconds = queue.push_timeout_seconds if queue is not None else WorkQueue().push_timeout_seconds
    return at + timedelta(seconds=seconds)


def work_claim(
    *, profile: AdvisorProfile, channel: str, offer: bool, at: datetime | None = None
) -> WorkItem | None:
    """Give the advisor the waiting item due soonest that they may do and have room for:
    offered (the dispatcher's push) or assigned at once ("next work"). None if there is no such
    item or no room. An item is only ever held by one advisor: see the note above.

    On PostgreSQL the server does the whole claim in one call (frontdoor_work_claim, made by
    migration routing/0003): the same statements as _claim below, one round trip instead of
    ten. The statement is its own transaction unless the caller is in one."""
    at = at or timezone.now()
    if connection.vendor == "postgresql":
        return _claim_by_the_server(profile, channel, offer=offer, at=at)
    return _claim(profile, channel, offer=offer, at=at)


@transaction.atomic
def _claim(profile: AdvisorProfile, channel: str, *, offer: bool, at: datetime) -> WorkItem | None:
    _advisor_lock(profile.user_id, at)
    item = _take(profile, channel, offer=offer, at=at)
    if item is None:
        return None
    WorkOffer.objects.create(
        item=item,
        advisor_id=profile.user_id,
        offered_at=at,
        answer="" if offer else WorkOffer.Answer.ACCEPTED,
        answered_at=None if offer else at,
    )
    _advisor_idle_from(profile.user_id, at)  # given work now: to the back of the free
    if not offer:
        _case_taken(item, at)
    return item


# The timeline's words for an item taken from a queue (the server's claim uses them too).
TAKEN_FROM = "Taken from the queue “%s”"


def _case_taken(item: WorkItem, at: datetime | None = None) -> None:
    case_assign(
        case_id=item.case_id,
        to=item.assigned_to,
        actor=item.assigned_to,
        text=TAKEN_FROM % item.queue.name,
        at=at,
    )


_CLAIMED = [str(f.column) for f in WorkItem._meta.concrete_fields]  # in the model's order


def _claim_by_the_server(
    profile: AdvisorProfile, channel: str, *, offer: bool, at: datetime
) -> WorkItem | None:
    pairs = profile.skill_levels()
    columns = ", ".join(connection.ops.quote_name(column) for column in _CLAIMED)
    # Alone the statement is its own transaction; inside the caller's, a savepoint, so that a
    # refusal (the case closed meanwhile) leaves the caller's transaction usable, as _claim's
    # own atomic block does.
    within = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with within, connection.cursor() as cursor:
        try:
            cursor.execute(
                f"SELECT {columns} FROM frontdoor_work_claim("  # noqa: S608
                "%s, %s, %s, %s::bigint[], %s::smallint[], %s, %s, %s::text[], %s)",
                [
                    profile.user_id,
                    channel,
                    profile.capacity.get(channel, 0),
                    [skill_id for skill_id, _ in pairs],
                    [level for _, level in pairs],
                    offer,
                    at,
                    list(OPEN_STATUSES),
                    TAKEN_FROM,
                ],
            )
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) == "FD001":
                raise CaseTransitionError(
                    "This case is no longer open, so it cannot be assigned.",
                    code="invalid_transition",
                ) from error
            raise
        row = cursor.fetchone()
    if row is None:
        return None
    item = WorkItem.from_db(
        connection.alias, [f.attname for f in WorkItem._meta.concrete_fields], row
    )
    item.queue = _queue_of(item.queue_id)
    if offer:
        item.offered_to = profile.user
    else:
        item.assigned_to = profile.user
    return item


def _held(item: WorkItem) -> WorkItem:
    """The item locked, then read again with its queue and case. The lock is taken on the item
    alone: on PostgreSQL a locking read that joins the queue and waited for another
    transaction re-checks the join against the queue row it first saw, so an item that was
    moved meanwhile would seem not to exist at all."""
    WorkItem.objects.select_for_update().filter(pk=item.pk).values_list("pk").get()
    return WorkItem.objects.select_related("queue", "case").get(pk=item.pk)


@transaction.atomic
def work_offer_accept(*, item: WorkItem, advisor: Any) -> WorkItem:
    at = timezone.now()
    item = _held(item)
    if item.status != W.OFFERED or item.offered_to_id != advisor.pk:
        raise ValidationError(
            "This email is no longer offered to you: the offer ran out or was withdrawn. "
            "Your next work will be offered to you in a moment."
        )
    _offer_answer(item, WorkOffer.Answer.ACCEPTED, at)
    _item_free(item, W.ASSIGNED)
    item.assigned_to, item.assigned_at = advisor, at
    item.save(update_fields=[*_HOLD_FIELDS, "status"])
    _case_taken(item, at)
    return item


@transaction.atomic
def work_offer_decline(*, item: WorkItem, advisor: Any) -> WorkItem:
    """Pass an offered item on: it goes back in its place (its age kept) and is not offered to
    this advisor again."""
    at = timezone.now()
    item = _held(item)
    if item.status != W.OFFERED or item.offered_to_id != advisor.pk:
        raise ValidationError("This email is no longer offered to you.")
    _offer_answer(item, WorkOffer.Answer.DECLINED, at)
    _item_free(item, W.WAITING)
    item.save(update_fields=[*_HOLD_FIELDS, "status"])
    _advisor_idle_from(advisor.pk, at)
    return item


@transaction.atomic
def work_item_release(*, item: WorkItem, actor: Any, reason: str) -> WorkItem:
    """Put held work back in the queue in its place (its age kept) for someone else."""
    item = _held(item)
    if item.status not in (W.OFFERED, W.ASSIGNED):
        return item
    _let_go(item, actor=actor, at=timezone.now(), why=reason)
    item.save(update_fields=[*_HOLD_FIELDS, "status"])
    return item


def _hand_back_everything(user: Any, *, actor: Any, reason: str) -> None:
    held = WorkItem.objects.filter(
        Q(offered_to=user, status=W.OFFERED) | Q(assigned_to=user, status=W.ASSIGNED)
    )
    for item in held:
        work_item_release(item=item, actor=actor, reason=reason)


@transaction.atomic
def presence_set(
    *, user: Any, presence: str, note: str = "", at: datetime | None = None
) -> AdvisorState:
    """Set an advisor's presence (they do it; the system does it with a note saying why).
    Becoming available starts their idle time; going offline gives their offers back."""
    at = at or timezone.now()
    if not may_take_work(user):
        raise ValidationError("Only advisors and team leaders take work from the queues.")
    if presence not in AdvisorState.Presence.values:
        raise ValidationError({"presence": "Choose available, busy, on a break or offline"})
    if presence == AdvisorState.Presence.AVAILABLE and (
        away := absence_of(user.staff_member, at=at)
    ):
        until = f"until {when(away.ends_at)}" if away.ends_at else "until further notice"
        raise ValidationError(
            {
                "presence": f"You are recorded as away {until}. Ask your team leader to "
                "record that you are back, then set your status again."
            }
        )
    state = _state_locked(user.pk, at)
    if state.presence != presence:
        if presence == AdvisorState.Presence.AVAILABLE:
            state.idle_since = at
        state.presence, state.presence_since = presence, at
    state.presence_note = note
    state.last_seen_at = at
    state.save()
    if presence == AdvisorState.Presence.OFFLINE:
        for item in WorkItem.objects.filter(offered_to=user, status=W.OFFERED):
            work_item_release(item=item, actor=user, reason="Offline")
    return state


def advisor_seen(*, user: Any, at: datetime | None = None) -> None:
    """The advisor's workspace says they are still there (it does every few seconds); one that
    falls silent for ADVISOR_GONE_AFTER is set offline by the dispatcher."""
    AdvisorState.objects.filter(user=user).update(last_seen_at=at or timezone.now())


@transaction.atomic
def advisor_sign_out(*, user: Any) -> None:
    """Signing out hands back everything held, in its place in the queue."""
    if not may_take_work(user):
        return
    _hand_back_everything(user, actor=user, reason="Returned to the queue: signed out")
    presence_set(user=user, presence=AdvisorState.Presence.OFFLINE, note="Signed out")


def work_next(*, user: Any, channel: str = WorkChannel.EMAIL) -> WorkItem | None:
    """ "Next work": the advisor asks for the next item now and has it at once."""
    if not may_take_work(user):
        raise ValidationError("Only advisors and team leaders take work from the queues.")
    if absence_of(user.staff_member) is not None:
        raise ValidationError(
            "You are recorded as away, so the queues give you no work. Ask your team leader "
            "to record that you are back."
        )
    return work_claim(profile=advisor_profile(user), channel=channel, offer=False)


def work_dispatch(*, at: datetime | None = None) -> int:
    """One round of push: offers that ran out go back (their advisor put on a break), the
    silent are set offline, then each available advisor, longest idle first, is offered what
    they have room for. Returns how many offers were made."""
    at = at or timezone.now()
    _offers_expire(at)
    _silent_advisors_offline(at)
    _absent_advisors_offline(at)
    offered = 0
    free = (
        AdvisorState.objects.filter(
            presence=AdvisorState.Presence.AVAILABLE,
            user__is_active=True,
            user__staff_member__is_active=True,
            user__staff_member__role__in=FRONT_OFFICE_ROLES,
        )
        .exclude(user__staff_member__in=absences_at(at=at).values("staff"))
        .select_related("user__staff_member__team")
    )
    for state in free.order_by("idle_since", "pk"):
        profile = advisor_profile(state.user)
        for channel, capacity in profile.capacity.items():
            for _ in range(capacity):  # until their room or the work they may do runs out
                if work_claim(profile=profile, channel=channel, offer=True, at=at) is None:
                    break
                offered += 1
    return offered


def _offers_expire(at: datetime) -> None:
    expired = WorkItem.objects.filter(status=W.OFFERED, offer_expires_at__lte=at)
    for item in expired.select_related("queue"):
        with transaction.atomic():
            item = _held(item)
            if item.status != W.OFFERED or item.offer_expires_at is None:
                continue
            if item.offer_expires_at > at:
                continue
            advisor_id = item.offered_to_id
            assert advisor_id is not None  # an offered item has its advisor (constraint)
            _offer_answer(item, WorkOffer.Answer.TIMED_OUT, at)
            _item_free(item, W.WAITING)
            item.save(update_fields=[*_HOLD_FIELDS, "status"])
            AdvisorState.objects.filter(user_id=advisor_id).update(
                presence=AdvisorState.Presence.ON_BREAK,
                presence_since=at,
                presence_note=f"An offer was not answered within "
                f"{item.queue.push_timeout_seconds} seconds",
            )


def _silent_advisors_offline(at: datetime) -> None:
    silent = AdvisorState.objects.exclude(presence=AdvisorState.Presence.OFFLINE).filter(
        last_seen_at__lt=at - ADVISOR_GONE_AFTER
    )
    for state in silent.select_related("user__staff_member"):
        presence_set(
            user=state.user,
            presence=AdvisorState.Presence.OFFLINE,
            note="The workspace stopped answering (the browser was closed?)",
            at=at,
        )


def _absent_advisors_offline(at: datetime) -> None:
    """An advisor whose absence has begun is set offline and what they held goes back in its
    place, so nobody's work waits on someone who is not there."""
    away = AdvisorState.objects.exclude(presence=AdvisorState.Presence.OFFLINE).filter(
        user__staff_member__in=absences_at(at=at).values("staff")
    )
    for state in away.select_related("user__staff_member"):
        with transaction.atomic():
            _hand_back_everything(
                state.user, actor=None, reason="Returned to the queue: the advisor is away"
            )
            presence_set(
                user=state.user,
                presence=AdvisorState.Presence.OFFLINE,
                note="Recorded as away",
                at=at,
            )


# --- The team leader's moves -----------------------------------------------------------


@dataclass(frozen=True)
class ItemSeen:
    """What a team leader saw of an item when they chose to move it: if it has changed
    since (another team leader moved it, an advisor took it), their move is refused."""

    queue_id: int
    status: str
    holder_id: int | None

    @classmethod
    def of(cls, item: WorkItem) -> ItemSeen:
        return cls(item.queue_id, item.status, item.assigned_to_id or item.offered_to_id)


def _check_seen(item: WorkItem, seen: ItemSeen) -> None:
    if item.status == W.DONE:
        raise ValidationError(
            "This item is finished: its case was answered, forwarded or resolved meanwhile."
        )
    if ItemSeen.of(item) != seen:
        holder = item.assigned_to or item.offered_to
        now = f"in “{item.queue.name}”, {item.get_status_display().lower()}"
        if holder is not None:
            now += f" to {holder.get_full_name() or holder.get_username()}"
        raise ValidationError(
            f"Someone else changed this item while you were looking: it is now {now}. "
            "Look at it again before you move it."
        )


def _let_go(item: WorkItem, *, actor: Any, at: datetime, why: str) -> None:
    """Whoever was offered or held the item no longer has it."""
    holder = item.assigned_to_id or item.offered_to_id
    if item.status == W.OFFERED:
        _offer_answer(item, WorkOffer.Answer.WITHDRAWN, at)
    elif item.status == W.ASSIGNED:
        case_release(case=item.case, actor=actor, text=why)
    _item_free(item, W.WAITING)
    if holder is not None:
        _advisor_idle_from(holder, at)


@transaction.atomic
def work_item_move(*, item: WorkItem, queue: WorkQueue, seen: ItemSeen, actor: Any) -> WorkItem:
    """A team leader moves an item to another queue of its channel. It keeps its age and due
    date, so it takes its place there; whoever had it no longer does."""
    at = timezone.now()
    item = _held(item)
    _check_seen(item, seen)
    if queue.channel != item.channel:
        raise ValidationError(
            {
                "queue": f"“{queue.name}” takes {queue.get_channel_display().lower()}; "
                f"this is {item.get_channel_display().lower()}. Choose a queue for it."
            }
        )
    if queue.pk == item.queue_id and item.status == W.WAITING:
        raise ValidationError({"queue": f"It is already waiting in “{queue.name}”"})
    was = item.queue.name
    _let_go(item, actor=actor, at=at, why=f"Moved to the queue “{queue.name}”")
    item.queue, item.minimum_skill_level = queue, queue.minimum_skill_level
    item.save(update_fields=[*_HOLD_FIELDS, "status", "queue", "minimum_skill_level"])
    case_note_add(
        case=item.case, actor=actor, text=f"Moved from the queue “{was}” to “{queue.name}”"
    )
    return item


@transaction.atomic
def work_item_give(*, item: WorkItem, advisor: Any, seen: ItemSeen, actor: Any) -> WorkItem:
    """A team leader gives an item to an advisor, who has it at once. Refused for someone who
    is away (saying who covers), who does not work the queues, or who has no room for it."""
    at = timezone.now()
    member = advisor.staff_member
    if not may_take_work(advisor):
        raise ValidationError({"advisor": f"{member} does not work the front office's queues"})
    if (away := absence_of(member, at=at)) is not None:
        raise ValidationError({"advisor": absence_refusal(member, away)})
    # The item, then the advisor: the order in which declining and expiring take them.
    item = _held(item)
    _advisor_lock(advisor.pk, at)
    _check_seen(item, seen)
    if item.status == W.ASSIGNED and item.assigned_to_id == advisor.pk:
        raise ValidationError({"advisor": f"{member} already has it"})
    profile = advisor_profile(advisor)
    holding = WorkItem.objects.filter(
        Q(offered_to=advisor, status=W.OFFERED) | Q(assigned_to=advisor, status=W.ASSIGNED),
        channel=item.channel,
    ).exclude(pk=item.pk)
    capacity = profile.capacity.get(item.channel, 0)
    if holding.count() >= capacity:
        raise ValidationError(
            {
                "advisor": f"{member} already has as much {item.get_channel_display().lower()} "
                f"as their team allows at once ({capacity}). Choose someone else, or let them "
                "finish first."
            }
        )
    _let_go(item, actor=actor, at=at, why=f"Given to {member}")
    item.status, item.assigned_to, item.assigned_at = W.ASSIGNED, advisor, at
    item.save(update_fields=[*_HOLD_FIELDS, "status"])
    WorkOffer.objects.create(
        item=item, advisor=advisor, offered_at=at, answer=WorkOffer.Answer.ACCEPTED, answered_at=at
    )
    _advisor_idle_from(advisor.pk, at)
    case_assign(
        case_id=item.case_id,
        to=advisor,
        actor=actor,
        text=f"Given to {member} from the queue “{item.queue.name}”",
    )
    return item
