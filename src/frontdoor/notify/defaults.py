"""The wording used until the council writes its own (and if it deletes its own)."""

ACKNOWLEDGEMENT_SUBJECT = "We have received your email {{ reference_tag }}"

ACKNOWLEDGEMENT_TEXT = """Dear {{ customer_name|default:"customer" }},

Thank you for your email{% if subject %} about "{{ subject }}"{% endif %}. We have logged it \
with the reference {{ reference }}.

We aim to reply by {{ reply_by }}.

If you write again about this, please keep {{ reference_tag }} in the subject so your \
message goes straight to the right case. There is no need to send it again in the meantime.
{% if ways_in %}
You can also contact us:
{% for way in ways_in %}- {{ way.label }}: {{ way.value }}
{% endfor %}{% endif %}
This is an automatic reply.

{{ council_name }}
"""

ACKNOWLEDGEMENT_HTML = """<p>Dear {{ customer_name|default:"customer" }},</p>
<p>Thank you for your email{% if subject %} about &ldquo;{{ subject }}&rdquo;{% endif %}. \
We have logged it with the reference <strong>{{ reference }}</strong>.</p>
<p>We aim to reply by {{ reply_by }}.</p>
<p>If you write again about this, please keep {{ reference_tag }} in the subject so your \
message goes straight to the right case. There is no need to send it again in the meantime.</p>
{% if ways_in %}<p>You can also contact us:</p>
<ul>{% for way in ways_in %}<li>{{ way.label }}: {{ way.value }}</li>{% endfor %}</ul>{% endif %}
<p>This is an automatic reply.</p>
<p>{{ council_name }}</p>
"""

FORM_CONFIRMATION_SUBJECT = "{{ form_title }}: your reference is {{ reference }}"

FORM_CONFIRMATION_TEXT = """Dear {{ customer_name|default:"customer" }},

Thank you. We have received your request "{{ form_title }}" and logged it with the \
reference {{ reference }}.
{% if location %}
Where: {{ location }}
{% endif %}
What you told us:
{% for question, answer in answers %}- {{ question }}: {{ answer }}
{% endfor %}
{% if what_happens_next %}{{ what_happens_next }}

{% endif %}We aim to deal with it by {{ resolve_by }}.
{% if track_url %}
You can follow its progress at {{ track_url }} with your reference and this email address, \
or in My Account.
{% endif %}{% if ways_in %}
You can also contact us:
{% for way in ways_in %}- {{ way.label }}: {{ way.value }}
{% endfor %}{% endif %}
If you write to us about this, please keep {{ reference_tag }} in the subject.

This is an automatic email.

{{ council_name }}
"""

FORM_CONFIRMATION_HTML = """<p>Dear {{ customer_name|default:"customer" }},</p>
<p>Thank you. We have received your request &ldquo;{{ form_title }}&rdquo; and logged it with \
the reference <strong>{{ reference }}</strong>.</p>
{% if location %}<p>Where: {{ location }}</p>{% endif %}
<p>What you told us:</p>
<ul>{% for question, answer in answers %}<li>{{ question }}: {{ answer }}</li>{% endfor %}</ul>
{% if what_happens_next %}<p>{{ what_happens_next|linebreaksbr }}</p>{% endif %}
<p>We aim to deal with it by {{ resolve_by }}.</p>
{% if track_url %}<p>You can follow its progress at <a href="{{ track_url }}">{{ track_url }}</a> \
with your reference and this email address, or in My Account.</p>{% endif %}
{% if ways_in %}<p>You can also contact us:</p>
<ul>{% for way in ways_in %}<li>{{ way.label }}: {{ way.value }}</li>{% endfor %}</ul>{% endif %}
<p>If you write to us about this, please keep {{ reference_tag }} in the subject.</p>
<p>This is an automatic email.</p>
<p>{{ council_name }}</p>
"""

# My Account. The confirmation email also answers someone who tries to register an address
# that already has an account (already_registered): the page they see is the same either
# way, so it cannot be used to find out whose address has an account.
ACCOUNT_VERIFICATION_SUBJECT = (
    "{% if already_registered %}You already have a My Account{% else %}"
    "Confirm your email address{% endif %} - {{ council_name }}"
)

ACCOUNT_VERIFICATION_TEXT = """{% if already_registered %}Someone, probably you, tried to create \
a My Account with {{ email }}. There is already an account for this address.

Sign in:
{{ sign_in_link }}

If you have forgotten your password, set a new one:
{{ reset_link }}

If it was not you, you do not need to do anything.{% else %}Confirm your email address to \
see your cases in My Account.

Open this link and sign in:
{{ confirm_link }}

The link works for {{ link_expires }}. If it has stopped working, sign in and ask for a new one.

If you did not create an account, you do not need to do anything.{% endif %}

{{ council_name }}
"""

ACCOUNT_VERIFICATION_HTML = """{% if already_registered %}<p>Someone, probably you, tried to \
create a My Account with {{ email }}. There is already an account for this address.</p>
<p><a href="{{ sign_in_link }}">Sign in to My Account</a></p>
<p>If you have forgotten your password, <a href="{{ reset_link }}">set a new one</a>.</p>
<p>If it was not you, you do not need to do anything.</p>{% else %}<p>Confirm your email \
address to see your cases in My Account.</p>
<p><a href="{{ confirm_link }}">Confirm your email address</a></p>
<p>The link works for {{ link_expires }}. If it has stopped working, sign in and ask for a \
new one.</p>
<p>If you did not create an account, you do not need to do anything.</p>{% endif %}
<p>{{ council_name }}</p>
"""

# The password reset link (EmailTemplate.Purpose.PASSWORD_RESET).
RESET_LINK_SUBJECT = "Reset your My Account password - {{ council_name }}"

RESET_LINK_TEXT = """We were asked to reset the password of the My Account for {{ email }}.

Set a new password:
{{ reset_link }}

The link works once, for {{ link_expires }}. If you did not ask for this, you do not need to \
do anything: your password has not changed.

{{ council_name }}
"""

RESET_LINK_HTML = """<p>We were asked to reset the password of the My Account for \
{{ email }}.</p>
<p><a href="{{ reset_link }}">Set a new password</a></p>
<p>The link works once, for {{ link_expires }}. If you did not ask for this, you do not need \
to do anything: your password has not changed.</p>
<p>{{ council_name }}</p>
"""

# Progress notifications (notify.notices). Every one carries the reference, what happens
# next, the target date where there is one, and how to follow the case online.

_SIGN_OFF_TEXT = """
This is an automatic message.

{{ council_name }}
"""

_SIGN_OFF_HTML = """<p>This is an automatic message.</p>
<p>{{ council_name }}</p>
"""

_FOLLOW_TEXT = """You can follow your case online at {{ follow_url }}. If you contact us \
about it, please quote {{ reference }}.
"""

_FOLLOW_HTML = """<p>You can <a href="{{ follow_url }}">follow your case online</a>. If you \
contact us about it, please quote {{ reference }}.</p>
"""

CASE_FORWARDED_SUBJECT = "Your case is now with {{ department }} {{ reference_tag }}"

CASE_FORWARDED_TEXT = (
    """Dear {{ customer_name|default:"customer" }},

We have passed your case {{ reference }}{% if service %} ({{ service }}){% endif %} to \
{{ department }}, who deal with this.

What happens next: they will look into it and contact you if they need anything more from \
you. We aim to finish by {{ target_date }}.

"""
    + _FOLLOW_TEXT
    + _SIGN_OFF_TEXT
)

CASE_FORWARDED_HTML = (
    """<p>Dear {{ customer_name|default:"customer" }},</p>
<p>We have passed your case <strong>{{ reference }}</strong>{% if service %} \
({{ service }}){% endif %} to {{ department }}, who deal with this.</p>
<p>What happens next: they will look into it and contact you if they need anything more from \
you. We aim to finish by {{ target_date }}.</p>
"""
    + _FOLLOW_HTML
    + _SIGN_OFF_HTML
)

CASE_FORWARDED_SMS = (
    "{{ council_name }}: your case {{ reference }} is now with {{ department }}. We aim to "
    "finish by {{ target_date }}. Follow it at {{ follow_url }}"
)

CASE_SCHEDULED_SUBJECT = "Booked for {{ scheduled_for }} {{ reference_tag }}"

CASE_SCHEDULED_TEXT = (
    """Dear {{ customer_name|default:"customer" }},

For your case {{ reference }}{% if service %} ({{ service }}){% endif %} we have booked:

{{ what }}, on {{ scheduled_for }}.

What happens next: we will let you know when it has been done. If the date does not suit \
you, contact us quoting {{ reference }}.

"""
    + _FOLLOW_TEXT
    + _SIGN_OFF_TEXT
)

CASE_SCHEDULED_HTML = (
    """<p>Dear {{ customer_name|default:"customer" }},</p>
<p>For your case <strong>{{ reference }}</strong>{% if service %} ({{ service }}){% endif %} \
we have booked:</p>
<p><strong>{{ what }}</strong>, on {{ scheduled_for }}.</p>
<p>What happens next: we will let you know when it has been done. If the date does not suit \
you, contact us quoting {{ reference }}.</p>
"""
    + _FOLLOW_HTML
    + _SIGN_OFF_HTML
)

CASE_SCHEDULED_SMS = (
    "{{ council_name }}: for your case {{ reference }} we have booked {{ what }} on "
    "{{ scheduled_for }}. Follow it at {{ follow_url }}"
)

CASE_RESOLVED_SUBJECT = "Your case has been resolved {{ reference_tag }}"

CASE_RESOLVED_TEXT = (
    """Dear {{ customer_name|default:"customer" }},

Your case {{ reference }}{% if service %} ({{ service }}){% endif %} has been resolved.

{{ outcome }}{% if resolution %}: {{ resolution }}{% endif %}

What happens next: nothing more is needed from you. If it is not sorted, reply to this email \
or contact us by {{ reopen_by }}, quoting {{ reference }}, and we will look at it again.

"""
    + _FOLLOW_TEXT
    + _SIGN_OFF_TEXT
)

CASE_RESOLVED_HTML = (
    """<p>Dear {{ customer_name|default:"customer" }},</p>
<p>Your case <strong>{{ reference }}</strong>{% if service %} ({{ service }}){% endif %} has \
been resolved.</p>
<p>{{ outcome }}{% if resolution %}: {{ resolution }}{% endif %}</p>
<p>What happens next: nothing more is needed from you. If it is not sorted, reply to this email \
or contact us by {{ reopen_by }}, quoting {{ reference }}, and we will look at it again.</p>
"""
    + _FOLLOW_HTML
    + _SIGN_OFF_HTML
)

CASE_RESOLVED_SMS = (
    "{{ council_name }}: your case {{ reference }} has been resolved ({{ outcome }}). If it is "
    "not sorted, contact us by {{ reopen_by }}. Details at {{ follow_url }}"
)

CASE_CLOSED_SUBJECT = "Your case is closed {{ reference_tag }}"

CASE_CLOSED_TEXT = (
    """Dear {{ customer_name|default:"customer" }},

Your case {{ reference }}{% if service %} ({{ service }}){% endif %} is now closed.

What happens next: there is nothing more you need to do. If you need us again about this, \
contact us quoting {{ reference }}.

You can still see your case online at {{ follow_url }}.
"""
    + _SIGN_OFF_TEXT
)

CASE_CLOSED_HTML = (
    """<p>Dear {{ customer_name|default:"customer" }},</p>
<p>Your case <strong>{{ reference }}</strong>{% if service %} ({{ service }}){% endif %} is \
now closed.</p>
<p>What happens next: there is nothing more you need to do. If you need us again about this, \
contact us quoting {{ reference }}.</p>
<p>You can still <a href="{{ follow_url }}">see your case online</a>.</p>
"""
    + _SIGN_OFF_HTML
)

CASE_CLOSED_SMS = (
    "{{ council_name }}: your case {{ reference }} is now closed. You can still see it at "
    "{{ follow_url }}"
)

# Restricted cases: the same few words whatever happened, nothing of what the case is about.
CASE_UPDATE_NEUTRAL_SUBJECT = "There is an update on your case {{ reference_tag }}"

CASE_UPDATE_NEUTRAL_TEXT = (
    """Dear customer,

There is an update on your case {{ reference }}.

To find out more, {% if council_phone %}call us on {{ council_phone }}{% else %}contact \
us{% endif %}, quoting {{ reference }}.
"""
    + _SIGN_OFF_TEXT
)

CASE_UPDATE_NEUTRAL_HTML = (
    """<p>Dear customer,</p>
<p>There is an update on your case <strong>{{ reference }}</strong>.</p>
<p>To find out more, {% if council_phone %}call us on {{ council_phone }}{% else %}contact \
us{% endif %}, quoting {{ reference }}.</p>
"""
    + _SIGN_OFF_HTML
)

CASE_UPDATE_NEUTRAL_SMS = (
    "{{ council_name }}: there is an update on your case {{ reference }}."
    "{% if council_phone %} Call {{ council_phone }} to find out more.{% endif %}"
)
