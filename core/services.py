"""Writes to reference data (code lists, national figures, populations) that has no rules of
its own beyond the model's validation: one path, with who changed it and a history row."""

from typing import Any

from django.db import models, transaction

from core.history import save_with_actor


@transaction.atomic
def reference_data_save(*, instance: models.Model, by: Any, reason: str = "") -> models.Model:
    instance.full_clean()
    save_with_actor(instance, by=by, reason=reason or "changed by the system administrator")
    return instance


@transaction.atomic
def reference_data_delete(*, instance: models.Model, by: Any) -> None:
    instance._history_user = by
    instance._change_reason = "deleted by the system administrator"
    instance.delete()
