from django.db import models
from django.db.models.functions import Lower


class Customer(models.Model):
    """A resident, business or organisation. May be merged into another customer."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PERSON)
    title = models.CharField(max_length=20, blank=True, default="")
    given_name = models.CharField(max_length=100, blank=True, default="")
    family_name = models.CharField(max_length=100, blank=True, default="")
    organisation_name = models.CharField(max_length=200, blank=True, default="")
    # Search keys, kept by customers.services: a prefix of either answers a name search
    # through an index range scan (customers_search) on SQLite and PostgreSQL alike.
    family_key = models.CharField(max_length=200, blank=True, default="")
    given_key = models.CharField(max_length=100, blank=True, default="")
    date_of_birth = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        db_index=False,  # see customer_merged_into below
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_key", "given_key"]
        indexes = [
            # customers_search by family or organisation name prefix (pattern ops: LIKE 'x%'
            # on PostgreSQL under any collation; SQLite ignores them and range-scans)
            models.Index(
                fields=["family_key", "given_key"],
                name="customer_family_key",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # customers_search by given name prefix
            models.Index(
                fields=["given_key"], name="customer_given_key", opclasses=["varchar_pattern_ops"]
            ),
            # the few merged customers (merge history). Partial, so that a planner without
            # statistics is not tempted to walk every unmerged customer for merged_into IS NULL
            # in customers_visible_to instead of using the name, email or phone index.
            models.Index(
                fields=["merged_into"],
                name="customer_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="organisation", organisation_name__gt="")
                | models.Q(kind="person", family_name__gt=""),
                name="customer_has_a_name",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION:
            return self.organisation_name
        return " ".join(p for p in (self.title, self.given_name, self.family_name) if p)


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(max_length=254)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "address"]
        indexes = [
            # customers_search by email, and matching a sender to a customer (email intake)
            models.Index(Lower("address"), name="customer_email_address"),
        ]
        constraints = [
            models.UniqueConstraint(
                "customer", Lower("address"), name="customer_email_once_per_customer"
            )
        ]

    def __str__(self) -> str:
        return self.address


class CustomerPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        HOME = "home", "Home"
        WORK = "work", "Work"
        OTHER = "other", "Other"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, e.g. +447911123456")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OTHER)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "number"]
        indexes = [
            # customers_search by phone number (E.164)
            models.Index(fields=["number"], name="customer_phone_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number"], name="customer_phone_once_per_customer"
            )
        ]

    def __str__(self) -> str:
        from frontdoor.customers.normalise import phone_for_display

        return phone_for_display(self.number)


class CustomerAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True, default="")
    town = models.CharField(max_length=100, blank=True, default="")
    postcode = models.CharField(max_length=8, help_text="Normalised, e.g. SW1A 1AA")
    uprn = models.BigIntegerField(
        null=True, blank=True, help_text="Unique Property Reference Number, when known"
    )
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "postcode"]
        verbose_name_plural = "customer addresses"
        indexes = [
            # customers_search by postcode
            models.Index(fields=["postcode"], name="customer_address_postcode"),
            # matching by property (UPRN) in customer matching and Open311 intake
            models.Index(fields=["uprn"], name="customer_address_uprn"),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)
