"""Light factories that go through the services, so test data is what production writes."""

import factory

from frontdoor.cases.models import Case, Channel
from frontdoor.cases.services import CaseDraft, case_open
from frontdoor.customers.models import Customer
from frontdoor.customers.services import AddressDraft, CustomerDraft, customer_create
from frontdoor.directory.models import Service


class CustomerFactory(factory.Factory):
    class Meta:
        model = CustomerDraft

    given_name = factory.Iterator(["Olivia", "Amelia", "Noah", "Oliver", "Priya", "Tomasz"])
    family_name = factory.Sequence(lambda n: f"Testperson{n:04d}")
    emails = factory.LazyAttribute(lambda o: [f"{o.given_name}.{o.family_name}@example.com"])
    phones = factory.Sequence(lambda n: [f"020 7946 0{n % 1000:03d}"])
    addresses = factory.LazyFunction(
        lambda: [AddressDraft(line_1="1 High Street", town="Anytown", postcode="LS1 4AP")]
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Customer:
        return customer_create(draft=model_class(**kwargs))


def case_for(
    *,
    service_code: str = "missed-bin",
    customer=None,
    actor=None,
    channel: str = Channel.PHONE,
    summary: str = "Bin not collected",
    opened_at=None,
    **draft,
) -> Case:
    service = Service.objects.select_related("sla_policy", "department").get(code=service_code)
    return case_open(
        draft=CaseDraft(service=service, summary=summary, **draft),
        customer=customer,
        channel=channel,
        actor=actor,
        opened_at=opened_at,
    )
