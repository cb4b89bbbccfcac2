from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AgencyFormsConfig(AppConfig):
    name = "agency_forms"
    verbose_name = "Agency reporting forms"

    def ready(self) -> None:
        from agency_forms.definitions import load_after_migrate

        # Every `migrate` loads the definition files added since (a version, once loaded,
        # never changes: the loader refuses a changed file).
        post_migrate.connect(load_after_migrate, sender=self)
