from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.history import acting_as_system
from panels.services import panel_setup


class Command(BaseCommand):
    help = "Create a panel, or update its name and add missing areas. Never deletes."

    def add_arguments(self, parser):
        parser.add_argument("code", help="2 to 12 capital letters or digits, e.g. BEDS")
        parser.add_argument("name", help='The panel\'s name, e.g. "Bedfordshire CDOP"')
        parser.add_argument(
            "--area", action="append", default=[], dest="areas", help="An area (repeatable)"
        )

    def handle(self, *args, code: str, name: str, areas: list[str], **options):
        try:
            with acting_as_system() as system:
                result = panel_setup(code=code, name=name, areas=areas, by=system)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        panel = result.panel
        if result.created:
            self.stdout.write(f"Created panel {panel.code}: {panel.name}")
        elif result.renamed:
            self.stdout.write(f"Renamed panel {panel.code} to {panel.name}")
        for area in result.areas_added:
            self.stdout.write(f"Added area {area}")
        if not result.changed:
            self.stdout.write(f"Panel {panel.code} is already up to date: nothing changed.")
