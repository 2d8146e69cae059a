"""Shared form plumbing: NL Design System classes and accessible error wiring on every widget."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.widgets import Input


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError on a form: each message on the field it names, when the form has that
    field, and above the form otherwise (a rule across fields, or a field the form does not show)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DateInput(forms.DateInput):
    """A native date picker. It only takes ISO dates: rendered in the active locale's format (01-03-2027) the
    field shows empty, and a form saved from it would clear the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# First match wins, so a subclass comes before its parent: CheckboxSelectMultiple is a RadioSelect.
WIDGET_CLASSES = {
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.CheckboxSelectMultiple: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.RadioSelect: "utrecht-radio-button utrecht-radio-button--html-input",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.SelectMultiple: "utrecht-select utrecht-select--html-select",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    Input: "utrecht-textbox utrecht-textbox--html-input",
}


class NLDSFormMixin:
    """Adds Utrecht component classes and aria attributes that link a field to its help and errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            for widget_type, css in WIDGET_CLASSES.items():
                if isinstance(widget, widget_type):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
                    break
            # Only the help text here: touching self.errors would validate the form before a subclass
            # has finished setting up its fields (choices, querysets). Errors are wired in full_clean().
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_help"

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)

    def full_clean(self):
        super().full_clean()
        # Errors are only known after validation: wire aria attributes now.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                if "utrecht-textbox" in widget.attrs.get("class", ""):
                    widget.attrs["class"] += " utrecht-textbox--invalid"
                ids = set(widget.attrs.get("aria-describedby", "").split()) - {""}
                ids.add(f"{self[name].auto_id}_error")
                widget.attrs["aria-describedby"] = " ".join(sorted(ids))
