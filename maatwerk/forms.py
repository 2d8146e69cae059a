"""Shared form plumbing: NL Design System classes and accessible error wiring on every widget."""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.widgets import Input

from maatwerk.lib import money
from maatwerk.validation import parse_money


def add_service_errors(form: forms.Form, exc: ValidationError, *, replace: bool = False) -> None:
    """A service's ValidationError on a form: each message on the field it names, when the form has that
    field, and above the form otherwise (a rule across fields, or a field the form does not show). With
    `replace`, the service's messages for a field take the place of the form's own (a form that lets the
    service judge every field would otherwise say "required" twice)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        if replace and target:
            form.errors.pop(target, None)
        label = str(form.fields[target].label or "") if target else ""
        for message in messages:
            form.add_error(target, _without_label(message, label))


def _without_label(message: str, label: str) -> str:
    """A service's message names its field for the API ("Onderzoeksvraag: bevat een naam ..."); on a form
    the field's label already stands before every error, so it would read twice."""
    if label and message.casefold().startswith(label.casefold() + ":"):
        return message[len(label) + 1 :].lstrip()
    return message


class DateInput(forms.DateInput):
    """A native date picker. It only takes ISO dates: rendered in the active locale's format (01-03-2027) the
    field shows empty, and a form saved from it would clear the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MoneyInput(forms.TextInput):
    """A text box for euros: a number input would let the browser refuse "6.500,00" in its own (often
    English) words, and its arrows make no sense for money. A stored amount is shown the Dutch way."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return money.format_eur(value).removeprefix("€ ").replace(".", "")
        return super().format_value(value)


class MoneyField(forms.Field):
    """An amount in euros typed the Dutch way ("6.500,00", "6500", "6500,5", "€ 6.500"), read by the one
    parser for typed money (`validation.parse_money`) with its Dutch messages and the project's bounds."""

    widget = MoneyInput

    def __init__(
        self,
        *,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = money.MAX_AMOUNT,
        below=None,
        max_digits=None,
        decimal_places=None,
        **kwargs,
    ):
        # max_digits and decimal_places come from a model's DecimalField (an admin's formfield_overrides):
        # the bounds and whole cents of parse_money are stricter than any amount column.
        self.minimum, self.maximum, self.below = minimum, maximum, below
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        errors: dict = {}
        amount = parse_money(
            value, "amount", errors, minimum=self.minimum, maximum=self.maximum, below=self.below
        )
        if errors:
            raise ValidationError(errors["amount"], code="invalid")
        return amount


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

    def add_service_errors(self, exc: ValidationError, *, replace: bool = False) -> None:
        add_service_errors(self, exc, replace=replace)
        # The service's errors come after validation: the fields it names get their aria attributes too.
        self._wire_errors()

    def full_clean(self):
        super().full_clean()
        # Errors are only known after validation: wire aria attributes now.
        self._wire_errors()

    def _wire_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                css = widget.attrs.get("class", "")
                if "utrecht-textbox" in css and "utrecht-textbox--invalid" not in css:
                    widget.attrs["class"] = css + " utrecht-textbox--invalid"
                ids = set(widget.attrs.get("aria-describedby", "").split()) - {""}
                ids.add(f"{self[name].auto_id}_error")
                widget.attrs["aria-describedby"] = " ".join(sorted(ids))
