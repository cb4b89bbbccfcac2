"""Writes to panels and their areas and wards."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
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
def panel_setup(*, code: str, name: str, areas: list[str], by: User) -> PanelSetupResult:
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


def area_add(*, panel: Panel, name: str, by: User) -> Area:
    area = Area(panel=panel, name=name)
    save_with_actor(area, by=by)
    return area


def ward_get_or_add(*, area: Area, name: str, by: User) -> Ward:
    ward = Ward.objects.filter(area=area, name=name).first()
    if ward is None:
        ward = Ward(area=area, name=name)
        save_with_actor(ward, by=by)
    return ward
