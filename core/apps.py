import importlib

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

# The data migrations that load the code lists of domain.md §5. A database flush (as the test
# runner's transactional tests do) empties these tables; flush ends with post_migrate, so the
# same loaders run again then (as after every `migrate`). They only add missing codes
# (get_or_create): an edit the system administrator made, with its history row, stays.
CODE_LIST_MIGRATIONS = [
    "panels.migrations.0002_code_lists",
    "cases.migrations.0002_code_lists",
    "rapid_response.migrations.0002_criteria",
    "panels.migrations.0005_factor_follow_ups",  # the genetic counselling letter (reference data)
]


def _reload_code_lists(sender, apps=global_apps, **kwargs) -> None:
    # The migration state's models, as in the migrations themselves (they keep no history).
    for module in CODE_LIST_MIGRATIONS:
        importlib.import_module(module).load(apps, None)


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        post_migrate.connect(_reload_code_lists, sender=self)
