"""School-year observations take the portal's one label, «2020/21» (issue 16).

Until now the importers stored «2020-21» (or SSB's «2020-2021»), while pages, PDFs and
the target line said «2020/21». The label is part of an observation's key, so the stored
rows must follow the parsers, or the next import of the same file would add a second row
for the same school year beside the old one.

Only exact school years are relabelled (1 August to 31 July); spans of school years
(«2016/17-2018/19») keep the text the file gave. A row whose new label is already taken
for the same indicator, place and subgroup is left as it is rather than overwritten.
"""

import datetime

from django.db import migrations
from django.db.models import Exists, OuterRef

from plans.schoolyear import SchoolYear


def _school_year_of(start: datetime.date, end: datetime.date) -> SchoolYear | None:
    year = SchoolYear.containing(start)
    return year if (start, end) == (year.start, year.last_day) else None


def _relabel(apps, label_for) -> None:
    Observation = apps.get_model("indicators", "Observation")
    periods = (
        Observation.objects.filter(period_start__month=8, period_start__day=1)
        .order_by()
        .values_list("period_label", "period_start", "period_end")
        .distinct()
    )
    for old, start, end in list(periods):
        year = _school_year_of(start, end)
        if year is None or old == label_for(year):
            continue
        new = label_for(year)
        taken = Observation.objects.filter(
            indicator=OuterRef("indicator"),
            place=OuterRef("place"),
            subgroup=OuterRef("subgroup"),
            period_label=new,
        )
        Observation.objects.filter(
            period_label=old, period_start=start, period_end=end
        ).exclude(Exists(taken)).update(period_label=new)


def forwards(apps, schema_editor) -> None:
    _relabel(apps, lambda year: year.label)


def backwards(apps, schema_editor) -> None:
    # The label the importers wrote before; SSB's «2020-2021» is not brought back.
    _relabel(apps, lambda year: year.slug)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_bounded_free_text"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
