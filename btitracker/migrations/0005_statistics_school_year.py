"""The statistics publish by school year (1 August – 31 July). Existing rows know only
the calendar quarter (events) or year (evaluated actions): quarters 1–2 are the spring
of the school year that began the year before, quarters 3–4 the autumn of the one that
begins that year (July, one month of the third quarter, is counted with the new school
year: the rows cannot tell it apart). An action's calendar year is counted with the
school year that began that year."""

from django.db import migrations, models


def fill_school_year(apps, schema_editor):
    StatEvent = apps.get_model("btitracker", "StatEvent")
    ActionStat = apps.get_model("btitracker", "ActionStat")
    StatEvent.objects.filter(quarter__lte=2).update(school_year=models.F("year") - 1)
    StatEvent.objects.filter(quarter__gte=3).update(school_year=models.F("year"))
    ActionStat.objects.update(school_year=models.F("year"))


class Migration(migrations.Migration):
    dependencies = [("btitracker", "0004_bounded_texts_keyed_audit_chain")]

    operations = [
        migrations.AddField(
            model_name="statevent",
            name="school_year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="skoleår"),
        ),
        migrations.AddField(
            model_name="actionstat",
            name="school_year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="skoleår"),
        ),
        migrations.RunPython(fill_school_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="statevent",
            name="school_year",
            field=models.PositiveSmallIntegerField(verbose_name="skoleår"),
        ),
        migrations.AlterField(
            model_name="actionstat",
            name="school_year",
            field=models.PositiveSmallIntegerField(verbose_name="skoleår"),
        ),
    ]
