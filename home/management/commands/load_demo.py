from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.history import acting_as_system
from home.demo import DEMO_PASSWORD, demo_users, load_demo


class Command(BaseCommand):
    help = "Load synthetic demonstration data (idempotent) and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. Demo accounts have a published password.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data has published passwords: it loads only with DEBUG=True (or --force)."
            )
        with acting_as_system() as system:
            panel = load_demo(by=system)
        self.stdout.write(f"Demo data ready for {panel}.")
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for every one: {DEMO_PASSWORD}):")
        for user in demo_users():
            self.stdout.write(f"  {user.role:<32} {user.email}")
