"""Forms of the import pages: they validate what the user sent, the services act."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedTextMixin, StyledFormMixin, style_fields
from imports.mapping import fields_for
from imports.models import ExportFormat, ImportJob, Kind, SavedMapping

ENCODING_CHOICES = [
    ("", _("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("gb18030", _("GB18030 / GBK (Chinese Excel)")),
]


class UploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=Kind.choices)
    file = forms.FileField(label=_("CSV or XLSX file"))
    encoding = forms.ChoiceField(
        label=_("Encoding (CSV)"), choices=ENCODING_CHOICES, required=False
    )
    saved_mapping = forms.ChoiceField(label=_("Saved mapping"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = SavedMapping.objects.values_list("name", flat=True).distinct()
        field = self.fields["saved_mapping"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Propose from the header")), *((n, n) for n in names)]

    def clean(self) -> dict[str, Any]:
        """Refuse a saved mapping kept for the other kind of file."""
        data = super().clean() or {}
        name, kind = data.get("saved_mapping"), data.get("kind")
        if name and kind and not SavedMapping.objects.filter(kind=kind, name=name).exists():
            self.add_error(
                "saved_mapping",
                _("There is no saved mapping called %(name)s for this kind of file.")
                % {"name": name},
            )
        return data


class MappingForm(CheckedTextMixin, forms.Form):
    """One choice per field: which header of the file fills it (or none).

    Styled after its fields are built (not through StyledFormMixin, which would validate
    the bound form before the per-field choices exist).
    """

    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and give me the rejected ones back as a file"),
        required=False,
    )
    save_as = forms.CharField(label=_("Save this mapping as"), max_length=100, required=False)

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("(not in the file)")), *((h, h) for h in job.headers)]
        for spec in fields_for(job.kind):
            label = f"{spec.label} *" if spec.required else str(spec.label)
            self.fields[f"map_{spec.name}"] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=job.mapping.get(spec.name, "")
            )
        self.fields["skip_invalid"].initial = job.skip_invalid
        style_fields(self)

    def mapping(self) -> dict[str, str]:
        """Return field -> header from the cleaned form."""
        return {
            name.removeprefix("map_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("map_") and value
        }

    def field_rows(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("map_")]


class ExportForm(CheckedTextMixin, forms.Form):
    """The customer list's filter (same GET names as the list page) plus the file format."""

    format = forms.ChoiceField(choices=ExportFormat.choices, required=False)
    q = forms.CharField(required=False)
    owner = forms.IntegerField(required=False)
    tag = forms.IntegerField(required=False)
    region = forms.CharField(required=False)
    last_from = forms.DateField(required=False)
    last_to = forms.DateField(required=False)
    spend_min = forms.DecimalField(required=False, min_value=0)
    spend_max = forms.DecimalField(required=False, min_value=0)
    archived = forms.BooleanField(required=False)
