"""On PostgreSQL, the claim done by the server in one call (routing.services.work_claim).

The claim is the engine's hottest path: done from Python it is ten round trips (begin, the
advisor's lock, the take, the offer, the advisor's idle time, a savepoint, the case, its
timeline event, the release, commit). This function does the same statements in the server,
in the same order, so a claim costs one round trip. It must write exactly what the Python
path writes: tests/routing/test_claim_function.py runs both and compares every row.

Each statement in a PL/pgSQL function takes its own snapshot under READ COMMITTED, so the
advisor's room is counted after their lock is had, as the Python path does.
"""

from django.db import migrations

CLAIM = r"""
CREATE OR REPLACE FUNCTION frontdoor_work_claim(
    p_user integer,
    p_channel text,
    p_capacity integer,
    p_skills bigint[],
    p_levels smallint[],
    p_offer boolean,
    p_at timestamptz,
    p_open_statuses text[],
    p_taken_text text
) RETURNS SETOF routing_workitem
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_held integer;
    v_choice bigint;
    v_passed bigint[] := '{}';
    v_item routing_workitem;
BEGIN
    -- The advisor's row, locked (made if they have none yet): one advisor's claims take turns.
    PERFORM 1 FROM routing_advisorstate WHERE user_id = p_user FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO routing_advisorstate
            (user_id, presence, presence_since, presence_note, idle_since, last_seen_at)
        VALUES (p_user, 'offline', p_at, '', p_at, NULL)
        ON CONFLICT (user_id) DO NOTHING;
        PERFORM 1 FROM routing_advisorstate WHERE user_id = p_user FOR UPDATE;
    END IF;

    -- Their room on the channel, counted now that the lock is had.
    SELECT (SELECT count(*) FROM routing_workitem
             WHERE offered_to_id = p_user AND status = 'offered' AND channel = p_channel)
         + (SELECT count(*) FROM routing_workitem
             WHERE assigned_to_id = p_user AND status = 'assigned' AND channel = p_channel)
      INTO v_held;
    IF v_held >= p_capacity THEN
        RETURN;
    END IF;

    FOR attempt IN 1..5 LOOP
        -- The next item: one probe of work_item_choice for work needing no skill, and one for
        -- each skill and level the advisor may do; the soonest of those few.
        SELECT c.id INTO v_choice FROM (
            SELECT * FROM (
                SELECT w.id, w.due_at, w.priority, w.created_at FROM routing_workitem w
                 WHERE w.status = 'waiting' AND w.channel = p_channel AND w.skill_id IS NULL
                   AND w.id <> ALL (v_passed)
                   AND NOT EXISTS (SELECT 1 FROM routing_workoffer o WHERE o.item_id = w.id
                                   AND o.advisor_id = p_user AND o.answer = 'declined')
                 ORDER BY w.due_at, w.priority, w.created_at, w.id LIMIT 1
            ) AS anyone
            UNION ALL
            SELECT p.* FROM unnest(p_skills, p_levels) AS k(skill_id, level)
            CROSS JOIN LATERAL (
                SELECT w.id, w.due_at, w.priority, w.created_at FROM routing_workitem w
                 WHERE w.status = 'waiting' AND w.channel = p_channel
                   AND w.skill_id = k.skill_id AND w.minimum_skill_level = k.level
                   AND w.id <> ALL (v_passed)
                   AND NOT EXISTS (SELECT 1 FROM routing_workoffer o WHERE o.item_id = w.id
                                   AND o.advisor_id = p_user AND o.answer = 'declined')
                 ORDER BY w.due_at, w.priority, w.created_at, w.id LIMIT 1
            ) AS p
        ) AS c
        ORDER BY c.due_at, c.priority, c.created_at, c.id LIMIT 1;
        IF v_choice IS NULL THEN
            RETURN;
        END IF;

        -- Taken only if still waiting and not locked by another claimer this moment.
        IF p_offer THEN
            UPDATE routing_workitem w
               SET status = 'offered', offered_to_id = p_user,
                   offer_expires_at = p_at + make_interval(secs => q.push_timeout_seconds)
              FROM routing_workqueue q
             WHERE w.id = (SELECT i.id FROM routing_workitem i
                            WHERE i.id = v_choice AND i.status = 'waiting'
                              FOR UPDATE SKIP LOCKED)
               AND w.status = 'waiting' AND q.id = w.queue_id
            RETURNING w.* INTO v_item;
        ELSE
            UPDATE routing_workitem w
               SET status = 'assigned', assigned_to_id = p_user, assigned_at = p_at
             WHERE w.id = (SELECT i.id FROM routing_workitem i
                            WHERE i.id = v_choice AND i.status = 'waiting'
                              FOR UPDATE SKIP LOCKED)
               AND w.status = 'waiting'
            RETURNING w.* INTO v_item;
        END IF;
        EXIT WHEN FOUND;
        v_passed := v_passed || v_choice;
        v_choice := NULL;
    END LOOP;
    IF v_item.id IS NULL THEN
        RETURN;
    END IF;

    INSERT INTO routing_workoffer (item_id, advisor_id, offered_at, answer, answered_at)
    VALUES (v_item.id, p_user, p_at,
            CASE WHEN p_offer THEN '' ELSE 'accepted' END,
            CASE WHEN p_offer THEN NULL ELSE p_at END);
    UPDATE routing_advisorstate SET idle_since = p_at WHERE user_id = p_user;

    IF NOT p_offer THEN
        -- cases.services.case_assign, for an item taken at once.
        UPDATE cases_case
           SET assigned_to_id = p_user,
               status = CASE WHEN status = 'new' THEN 'in_progress' ELSE status END,
               updated_at = p_at
         WHERE id = v_item.case_id AND status = ANY (p_open_statuses);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'case % is no longer open', v_item.case_id USING ERRCODE = 'FD001';
        END IF;
        INSERT INTO cases_caseevent
            (case_id, kind, at, actor_id, channel, text, department_id, contact_id,
             visible_to_customer)
        SELECT v_item.case_id, 'assigned', p_at, p_user, 'staff', format(p_taken_text, q.name),
               NULL, NULL, false
          FROM routing_workqueue q WHERE q.id = v_item.queue_id;
    END IF;
    RETURN NEXT v_item;
END
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS frontdoor_work_claim("
    "integer, text, integer, bigint[], smallint[], boolean, timestamptz, text[], text)"
)


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: % is PL/pgSQL's own

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0002_work_distribution"),
        ("cases", "0006_caseevent_released"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CLAIM), _on_postgresql(DROP))]
