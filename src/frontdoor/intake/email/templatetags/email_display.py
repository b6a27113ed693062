import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

from frontdoor.intake.email.parsing import quoted_history_split

register = template.Library()


@register.filter
def fresh_text(text: str) -> str:
    return quoted_history_split(text)[0]


@register.filter
def quoted_text(text: str) -> str:
    return quoted_history_split(text)[1]


@register.filter
def sanitised_html(html: str) -> SafeString:
    """HTML from email as nh3 (the Ammonia sanitiser) leaves it: no scripts, no event handlers,
    no styles or remote images that track the reader."""
    cleaned = nh3.clean(
        html,
        tags={
            "p",
            "br",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "ul",
            "ol",
            "li",
            "a",
            "blockquote",
            "table",
            "thead",
            "tbody",
            "tr",
            "td",
            "th",
            "div",
            "span",
            "h1",
            "h2",
            "h3",
            "h4",
            "pre",
            "code",
            "hr",
        },
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
