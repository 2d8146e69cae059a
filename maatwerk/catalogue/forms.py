from django import forms
from django.utils.translation import gettext_lazy as _

from maatwerk.forms import NLDSFormMixin

from .models import Confidence, Domain, Payer


def _with_all(choices, label):
    return [("", label), *choices]


class CatalogueFilterForm(NLDSFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("Name or code"))
    domain = forms.ChoiceField(
        label=_("Life domain"), required=False, choices=_with_all(Domain.choices, _("All life domains"))
    )
    payer = forms.ChoiceField(
        label=_("Payer"), required=False, choices=_with_all(Payer.choices, _("All payers"))
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), required=False, choices=_with_all(Confidence.choices, _("All grades"))
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = queryset.search(data["q"])
        for field in ("domain", "payer", "confidence"):
            if data[field]:
                queryset = queryset.filter(**{field: data[field]})
        return queryset
