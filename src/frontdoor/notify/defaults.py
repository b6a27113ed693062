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
