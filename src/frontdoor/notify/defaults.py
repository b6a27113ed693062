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
