from django import template

from plans.diff import word_diff_html

register = template.Library()


@register.simple_tag
def word_diff(old, new):
    """{% word_diff change.old change.new %} → the text with <del>/<ins> marks."""
    return word_diff_html(str(old or ""), str(new or ""))
