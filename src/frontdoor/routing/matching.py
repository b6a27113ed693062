"""Turning a rule's conditions into compiled patterns, and checking mail against them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frontdoor.routing.models import RoutingRule

# Enough of a body to find the words a rule looks for, without scanning megabytes.
BODY_CHARS = 20_000


@dataclass(frozen=True)
class MailFacts:
    """What a rule may look at in one email."""

    inbox_id: int
    sender: str
    subject: str
    body: str


def words_pattern(text: str) -> re.Pattern[str] | None:
    """Any of the comma-separated words or phrases, as whole words, in any case; spaces in a
    phrase match any run of white space (mail clients wrap lines)."""
    phrases = [p.strip() for p in text.split(",") if p.strip()]
    if not phrases:
        return None
    return re.compile("|".join(_whole(p) for p in phrases), re.IGNORECASE)


def _whole(phrase: str) -> str:
    """The phrase, not inside a longer word: an edge that is a letter or digit may not have
    another beside it ("advice" is not in "advices"; "@bank.example" is in "ops@bank.example")."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    before = r"(?<!\w)" if re.match(r"\w", phrase) else ""
    after = r"(?!\w)" if re.search(r"\w$", phrase) else ""
    return f"{before}{body}{after}"


def condition_pattern(text: str, matching: str) -> re.Pattern[str] | None:
    """The compiled condition, or None when it is empty; re.error for a bad expression."""
    if not text.strip():
        return None
    if matching == RoutingRule.Matching.REGEX:
        return re.compile(text.strip(), re.IGNORECASE)
    return words_pattern(text)


@dataclass(frozen=True)
class CompiledRule:
    rule: RoutingRule
    inbox_ids: frozenset[int]
    sender: re.Pattern[str] | None
    subject: re.Pattern[str] | None
    body: re.Pattern[str] | None

    @classmethod
    def of(cls, rule: RoutingRule, inbox_ids: frozenset[int]) -> CompiledRule:
        return cls(
            rule=rule,
            inbox_ids=inbox_ids,
            sender=condition_pattern(rule.sender, rule.matching),
            subject=condition_pattern(rule.subject, rule.matching),
            body=condition_pattern(rule.body, rule.matching),
        )

    def matches(self, facts: MailFacts) -> bool:
        if self.inbox_ids and facts.inbox_id not in self.inbox_ids:
            return False
        checks = (
            (self.sender, facts.sender),
            (self.subject, facts.subject),
            (self.body, facts.body[:BODY_CHARS]),
        )
        return all(pattern.search(value) for pattern, value in checks if pattern is not None)
