"""The shared form plumbing in maatwerk/forms.py: NL Design System classes and aria wiring."""

from django import forms

from maatwerk.forms import NLDSFormMixin

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
