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


@register.filter
def trace_linked_only(trace: dict) -> dict:
    """A report's area trace (the snapshot's dict) with only what is linked: voices that
    a mark or a measure cites, marks that cite input, measures that cite input. Every link
    of what remains points at a row that remains. The goals are left out (the chapter
    counts their attainment); ``left_out`` says how much the portal's trace page has more.
    The whole trace of the demo's four areas was 30 pages of a 50-page report."""
    voices = [v for v in trace["voices"] if v["supports"] or v["answered_by"]]
    marks = [m for m in trace["marks"] if m["sources"]]
    measures = [m for m in trace["measures"] if m["cites"]]
    return {
        **trace,
        "voices": voices,
        "marks": marks,
        "measures": measures,
        "goals": [],
        "evaluated_count": sum(1 for m in measures if m["evaluation"]),
        "left_out": {
            "voices": len(trace["voices"]) - len(voices),
            "marks": len(trace["marks"]) - len(marks),
            "measures": len(trace["measures"]) - len(measures),
            "goals": len(trace["goals"]),
        },
    }
