"""The shared form plumbing in maatwerk/forms.py: NL Design System classes and aria wiring."""

import datetime

from django import forms
from django.utils import translation

from maatwerk.forms import DateInput, NLDSFormMixin

CHOICES = [("a", "A"), ("b", "B")]


class ExampleForm(NLDSFormMixin, forms.Form):
    name = forms.CharField(help_text="Voornaam en achternaam")
    agree = forms.BooleanField(required=False)
    domains = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False)
    kind = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea, required=False)


def test_each_widget_gets_its_own_component_class() -> None:
    form = ExampleForm()
    classes = {name: field.widget.attrs["class"] for name, field in form.fields.items()}
    assert classes["name"] == "utrecht-textbox utrecht-textbox--html-input"
    assert classes["agree"] == "utrecht-checkbox utrecht-checkbox--html-input"
    # CheckboxSelectMultiple subclasses RadioSelect: it must still get the checkbox class.
    assert classes["domains"] == "utrecht-checkbox utrecht-checkbox--html-input"
    assert classes["kind"] == "utrecht-radio-button utrecht-radio-button--html-input"
    assert classes["note"] == "utrecht-textarea utrecht-textarea--html-textarea"
    html = str(form["domains"])
    assert 'type="checkbox"' in html and "utrecht-radio-button" not in html


def test_help_and_errors_are_linked_to_the_field() -> None:
    form = ExampleForm(data={"name": "", "kind": "a"})
    assert not form.is_valid()
    attrs = form.fields["name"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_name_error id_name_help"
    assert "utrecht-textbox--invalid" in attrs["class"]
    assert "aria-invalid" not in form.fields["kind"].widget.attrs


def test_date_inputs_render_iso_dates_in_dutch() -> None:
    # A date input shows nothing for 01-03-2027; the Dutch locale must not leak into its value.
    class DateForm(NLDSFormMixin, forms.Form):
        day = forms.DateField(widget=DateInput)

    with translation.override("nl"):
        html = str(DateForm(initial={"day": datetime.date(2027, 3, 1)})["day"])
        bound = DateForm(data={"day": "2027-03-01"})
        assert bound.is_valid(), bound.errors
    assert 'type="date"' in html and 'value="2027-03-01"' in html
