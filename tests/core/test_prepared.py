"""A query compiled once gives what the ORM gives, run after run, on either database."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontdoor.cases.models import Case
from frontdoor.core.prepared import PreparedQuery
from tests.factories import CustomerFactory, case_for

COLUMNS = ("reference", "status", "opened_at", "latitude", "department__name", "customer_id")


def _by_reference(reference):
    return Case.objects.filter(reference=reference).values_list(*COLUMNS)


def test_rows_are_those_the_orm_gives_converted_the_same_way(council):
    there = case_for(customer=CustomerFactory.create(), latitude=Decimal("53.801234"))
    other = case_for(summary="Another")
    prepared = PreparedQuery(_by_reference, "reference")
    for case in (there, other, there):
        (row,) = prepared.rows(reference=case.reference)
        assert tuple(row) == _by_reference(case.reference).get()
    (row,) = prepared.rows(reference=there.reference)
    assert row[2].tzinfo is not None and row[3] == Decimal("53.801234")
    assert prepared.first(reference="FD-1999-000001") is None


def test_each_run_sends_one_statement_with_the_values_given(council):
    case = case_for()
    prepared = PreparedQuery(lambda reference: _by_reference(reference)[:1], "reference")
    prepared.first(reference="warm-up")
    with CaptureQueriesContext(connection) as queries:
        assert prepared.first(reference=case.reference)[0] == case.reference
    assert len(queries.captured_queries) == 1


def test_a_value_changed_on_its_way_in_is_refused_rather_than_matched_wrongly(council):
    lowered = PreparedQuery(
        lambda reference: Case.objects.filter(reference=reference.lower()).values_list("pk"),
        "reference",
    )
    with pytest.raises(ValueError, match="did not reach the SQL as given"):
        lowered.rows(reference="FD-2026-000001")


def test_the_values_named_must_be_given(council):
    prepared = PreparedQuery(_by_reference, "reference")
    with pytest.raises(TypeError, match="Give exactly reference"):
        prepared.rows(ref="FD-2026-000001")
