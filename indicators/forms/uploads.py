"""The upload form of a filled-in indicator-data template. It checks that a file came and that it is not too
large; indicators.services.uploads checks what is in it and says why a file is refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from grants.forms.common import BootstrapMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DataUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label="Filled-in template (.xlsx)",
        error_messages={
            "required": "Choose the filled-in template (.xlsx) to upload.",
            "empty": "The file is empty. Choose the filled-in template (.xlsx) and upload it again.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()
        limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
        self.fields["file"].help_text = (
            f"The Excel template downloaded from a report's page, up to {limit}. Nothing is changed until "
            "you have seen the preview and applied it."
        )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}. Upload the template with only your figures "
                "in it, or one template per country project.",
                code="too_large",
            )
        return upload
