from dataclasses import dataclass

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordKeyForm
from django import forms

from accounts.models import Agency, AgencyRole, PanelRole, User
from accounts.permissions import agencies_manageable_by, panels_managed_by
from panels.models import Panel


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # The page offers "Forgotten your password?" beside the button instead.
        self.fields["password"].help_text = ""


def role_choices(viewer: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The roles a viewer may give, grouped by organisation, as "panel:<id>:<role>"."""
    groups = []
    for panel in panels_managed_by(viewer):
        groups.append(
            (
                panel.name,
                [(f"panel:{panel.pk}:{r.value}", f"{r.label}, {panel.name}") for r in PanelRole],
            )
        )
    for agency in agencies_manageable_by(viewer):
        groups.append(
            (
                agency.name,
                [
                    (f"agency:{agency.pk}:{r.value}", f"{r.label}, {agency.name}")
                    for r in AgencyRole
                ],
            )
        )
    return groups


@dataclass(frozen=True)
class ChosenRole:
    panel: Panel | None = None
    panel_role: PanelRole | None = None
    agency: Agency | None = None
    agency_role: AgencyRole | None = None


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        error_messages={"required": "Select a role", "invalid_choice": "Select a role"},
    )

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.fields["role"].choices = [("", "Choose a role"), *role_choices(viewer)]

    def chosen_role(self) -> ChosenRole:
        kind, pk, role = self.cleaned_data["role"].split(":")
        if kind == "panel":
            return ChosenRole(
                panel=panels_managed_by(self.viewer).get(pk=pk), panel_role=PanelRole(role)
            )
        return ChosenRole(
            agency=agencies_manageable_by(self.viewer).get(pk=pk), agency_role=AgencyRole(role)
        )


class InviteForm(RoleForm):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the person's name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation to set a password is sent here. Use their work address.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(label="Job title", max_length=150, required=False)

    field_order = ["full_name", "email", "job_title", "role"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists")
        return email


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "agency_type", "email", "panels"]
        labels = {
            "name": "Agency name",
            "agency_type": "Type of agency",
            "email": "Shared email address",
            "panels": "Panels the agency serves",
        }
        widgets = {"panels": forms.CheckboxSelectMultiple, "agency_type": forms.RadioSelect}
        error_messages = {
            "name": {
                "required": "Enter the agency's name",
                "unique": "An agency with this name already exists",
            },
            "agency_type": {"required": "Select the type of agency"},
            "panels": {"required": "Select at least one panel"},
        }

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panels"].queryset = panels_managed_by(viewer)
        self.fields["panels"].required = True


class SetPasswordForm(ResetPasswordKeyForm):
    """The page an invitation or reset link opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "New password"
        self.fields["password1"].help_text = ""
        self.fields["password2"].label = "New password (again)"
        for name in ("password1", "password2"):
            self.fields[name].error_messages["required"] = "Enter your new password"
