from django.core.management.base import BaseCommand

from demo.services.loading import demo_load
from plans.demo import DEMO_MUNICIPALITY, DEMO_PASSWORD, DEMO_STAFF, DEMO_USERS
from plans.models import Role


class Command(BaseCommand):
    help = (
        "Oppretter eller oppdaterer demokommunen (Solvik kommune) med enheter, brukere, "
        "kvalitetsplan, utviklingsplaner, egenvurderinger, fortellinger, kompetansetiltak, "
        "tellinger, BTI og tilstandsrapporter (fjorårets publisert, årets som utkast)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--uten-rapporter",
            action="store_false",
            dest="reports",
            help=(
                "Uten tilstandsrapportene (de to PDF-ene er det meste av tiden): for tester "
                "og når rapportene ikke trengs."
            ),
        )

    def handle(self, *args, **options):
        counts = demo_load(reports=options["reports"])
        self.stdout.write(
            self.style.SUCCESS(
                f"{DEMO_MUNICIPALITY['name']}: {counts['units']} enheter, "
                f"{counts['users']} brukere."
            )
        )
        self.stdout.write(
            f"Planinnhold: {counts['quality_plans']} revisjoner av kvalitetsplanen, "
            f"{counts['unit_plans']} utviklingsplaner med {counts['measures']} tiltak, "
            f"{counts['self_assessments']} egenvurderinger, {counts['inputs']} innspill og "
            f"{counts['journeys']} brukerreiser."
        )
        self.stdout.write(
            f"Kompetanse: {counts['competence_activities']} tiltak med "
            f"{counts['competence_sessions']} samlinger og "
            f"{counts['competence_registrations']} påmeldinger, "
            f"{counts['competence_schemes']} tilskuddsordninger, "
            f"{counts['competence_surveys']} kartlegginger og "
            f"{counts['competence_events']} hendelser i årshjulet."
        )
        self.stdout.write(
            f"Tellinger: {counts['indicators']} indikatorer med "
            f"{counts['indicator_observations']} målinger og "
            f"{counts['indicator_targets']} målverdier."
        )
        if options["reports"]:
            self.stdout.write(
                f"Tilstandsrapporter: {counts['status_reports_published']} publisert "
                f"(fjorårets) og {counts['status_reports_draft']} utkast (årets)."
            )
        self.stdout.write(f"Innlogging (passord for alle: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            roles = ", ".join(
                f"{Role(role).label} ({unit or DEMO_MUNICIPALITY['name']})"
                for role, unit in demo.grants
            )
            self.stdout.write(f"  {demo.username:<18} {roles}")
        self.stdout.write(
            f"  … og {counts['staff']} ledere og ansatte i de andre enhetene "
            f"({', '.join(demo.username for demo in DEMO_STAFF[:3])} …), med samme passord."
        )
