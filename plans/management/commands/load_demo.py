from django.core.management.base import BaseCommand

from plans.demo import DEMO_MUNICIPALITY, DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Oppretter eller oppdaterer demokommunen (Solvik kommune) med enheter og brukere."

    def handle(self, *args, **options):
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"{DEMO_MUNICIPALITY['name']}: {counts['units']} enheter, "
                f"{counts['users']} brukere."
            )
        )
        self.stdout.write(f"Innlogging (passord for alle: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            roles = ", ".join(
                f"{role.label} ({unit or DEMO_MUNICIPALITY['name']})" for role, unit in demo.grants
            )
            self.stdout.write(f"  {demo.username:<18} {roles}")
