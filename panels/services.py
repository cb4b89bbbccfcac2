"""Writes to panels and their areas and wards.

A panel's code is fixed once the panel exists: it starts every case number and the public
notification link. Nothing in the project is keyed on it (access is by the panel's id).
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.history import save_with_actor
from panels.models import Area, Panel, Ward, panel_code_validator


@dataclass
class PanelSetupResult:
    panel: Panel
    created: bool = False
    renamed: bool = False
    areas_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or self.renamed or bool(self.areas_added)


@transaction.atomic
def panel_setup(*, code: str, name: str, areas: list[str], by: Any) -> PanelSetupResult:
    """Create the panel or bring it up to date; never deletes anything (interfaces.md)."""
    panel_code_validator(code)
    name = name.strip()
    if not name:
        raise ValidationError("Enter the panel's name.")
    area_names = [a.strip() for a in areas]
    if any(not a for a in area_names):
        raise ValidationError("An area name cannot be blank.")

    panel = Panel.objects.select_for_update().filter(code=code).first()
    result = PanelSetupResult(panel=panel) if panel else None
    if panel is None:
        panel = Panel(code=code, name=name)
        save_with_actor(panel, by=by, reason="panel set up")
        result = PanelSetupResult(panel=panel, created=True)
    elif panel.name != name:
        panel.name = name
        save_with_actor(panel, by=by, reason="panel renamed by setup")
        result.renamed = True

    existing = set(panel.areas.values_list("name", flat=True))
    for area_name in dict.fromkeys(area_names):  # keeps order, drops repeats
        if area_name not in existing:
            area_add(panel=panel, name=area_name, by=by)
            result.areas_added.append(area_name)
    return result


@transaction.atomic
def panel_update(*, panel: Panel, name: str, form_due_working_days: int, by: Any) -> Panel:
    """Everything about a panel but its code, which never changes."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    panel.name, panel.form_due_working_days = name.strip(), form_due_working_days
    panel.full_clean()
    save_with_actor(panel, by=by, reason="panel changed")
    return panel


@transaction.atomic
def area_add(*, panel: Panel, name: str, by: Any) -> Area:
    area = Area(panel=panel, name=name.strip())
    area.full_clean()
    save_with_actor(area, by=by, reason="area added")
    return area


@transaction.atomic
def area_rename(*, area: Area, name: str, by: Any) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    area.name = name.strip()
    area.full_clean()
    save_with_actor(area, by=by, reason="area renamed")
    return area


@transaction.atomic
def ward_save(*, ward: Ward, by: Any) -> Ward:
    ward.name = ward.name.strip()
    ward.full_clean()
    save_with_actor(ward, by=by, reason="ward changed" if ward.pk else "ward added")
    return ward


def ward_get_or_add(*, area: Area, name: str, by: Any) -> Ward:
    ward = Ward.objects.filter(area=area, name=name).first()
    if ward is None:
        ward = ward_save(ward=Ward(area=area, name=name), by=by)
    return ward
