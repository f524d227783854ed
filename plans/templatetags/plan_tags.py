from django import template

from plans.diff import word_diff_html

register = template.Library()


@register.simple_tag
def word_diff(old, new):
    """{% word_diff change.old change.new %} → the text with <del>/<ins> marks."""
    return word_diff_html(str(old or ""), str(new or ""))


@register.filter
def person(user, empty="–"):
    """A user's full name, else the username; ``empty`` when there is nobody (a deleted
    user in the history, a measure without a responsible person)."""
    if user is None or not getattr(user, "pk", None):
        return empty
    return user.get_full_name() or user.username
