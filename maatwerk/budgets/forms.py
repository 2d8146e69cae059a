import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from maatwerk.forms import DateInput, MoneyField, NLDSFormMixin
from maatwerk.lib.money import CENT

from .models import Channel, Kind, LegalBasis, PayeeKind, Verdict


def new_key() -> str:
    return uuid.uuid4().hex


# Querysets that depend on the request are set in a base class below NLDSFormMixin in the MRO (its
# __init__ runs inside the mixin's super().__init__()), so the fields are complete before the mixin wires
# up their widgets.


class _SpendRequestFields(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    amount = MoneyField(
        label=_("amount"),
        minimum=CENT,
        below=_("The amount must be more than zero."),
        help_text=_("In euros, e.g. 125,50."),
    )
    purpose = forms.CharField(label=_("purpose"), max_length=140)
    kind = forms.ChoiceField(
        label=_("kind of maatwerk"),
        choices=[("", "---------"), *Kind.choices],
        help_text=_("What the money is for, as the dashboards count it."),
    )
    legal_basis = forms.ChoiceField(label=_("legal basis"), choices=LegalBasis.choices)
    payee_kind = forms.ChoiceField(
        label=_("payee"), choices=PayeeKind.choices, initial=PayeeKind.BANK, widget=forms.RadioSelect
    )
    creditor_name = forms.CharField(label=_("creditor name"), max_length=70, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    business_case_version = forms.ModelChoiceField(
        label=_("business-case version"), queryset=None, required=False
    )
    deviates_from_policy = forms.BooleanField(label=_("deviates from policy rules"), required=False)
    value_triangle = forms.ModelChoiceField(label=_("value triangle"), queryset=None, required=False)
    deviation_motivation = forms.CharField(
        label=_("motivation of the deviation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Generated when the form is shown: submitting the same page twice books once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        from maatwerk.businesscases.models import BusinessCaseVersion, ValueTriangle

        self.fields["business_case_version"].queryset = BusinessCaseVersion.objects.filter(
            business_case__case=case
        )
        self.fields["value_triangle"].queryset = ValueTriangle.objects.filter(case=case)


class SpendRequestForm(NLDSFormMixin, _SpendRequestFields):
    pass


class ReasonForm(NLDSFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LegalityCheckForm(NLDSFormMixin, forms.Form):
    legal_basis_ok = forms.BooleanField(label=_("the legal basis fits"), required=False)
    mandate_ok = forms.BooleanField(label=_("within the mandate"), required=False)
    deviation_ok = forms.BooleanField(
        label=_("deviation from policy is motivated (or there is none)"), required=False
    )
    prior_provisions_considered = forms.BooleanField(
        label=_("prior provisions were considered"), required=False
    )
    amount_reasonable = forms.BooleanField(label=_("the amount is reasonable"), required=False)
    verdict = forms.ChoiceField(label=_("verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AllocateForm(NLDSFormMixin, forms.Form):
    amount = MoneyField(label=_("amount"), minimum=CENT, below=_("The amount must be more than zero."))
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class _SepaExportFields(forms.Form):
    municipality = forms.ModelChoiceField(label=_("municipality"), queryset=None, empty_label=None)
    debtor_name = forms.CharField(label=_("account holder (debtor)"), max_length=70)
    debtor_iban = forms.CharField(label=_("debit account IBAN"), max_length=42)
    debtor_bic = forms.CharField(label=_("BIC (optional)"), max_length=11, required=False)
    execution_date = forms.DateField(label=_("execution date"), widget=DateInput)
    # Generated when the page is shown: submitting it twice records one batch.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from maatwerk.accounts import tenancy
        from maatwerk.accounts.models import Municipality, Role

        municipalities = Municipality.objects.filter(
            pk__in=tenancy.municipality_ids(user, [Role.ADMIN])
        ).order_by("name")
        field = self.fields["municipality"]
        field.queryset = municipalities
        if len(municipalities) == 1:
            # Most administrators hold one municipality: nothing to choose.
            field.widget = forms.HiddenInput()
            field.initial = municipalities[0].pk

    def clean_debtor_iban(self):
        from stdnum import iban

        value = iban.compact(self.cleaned_data["debtor_iban"])
        if not iban.is_valid(value):
            raise forms.ValidationError(_("This is not a valid IBAN."))
        return value


class SepaExportForm(NLDSFormMixin, _SepaExportFields):
    pass


class MarkBatchPaidForm(NLDSFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("The bank has carried out every transfer in this batch."),
        error_messages={"required": _("Tick the box to confirm that the bank has paid this batch.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class _BudgetFields(forms.Form):
    team = forms.ModelChoiceField(
        label=_("team"),
        queryset=None,
        required=False,
        help_text=_("Empty for a budget of the whole municipality."),
    )
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    period_start = forms.DateField(label=_("period start"), widget=DateInput)
    period_end = forms.DateField(label=_("period end"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from maatwerk.accounts import tenancy
        from maatwerk.accounts.models import Municipality, Role, Team

        ids = tenancy.municipality_ids(user, [Role.ADMIN])
        self.fields["team"].queryset = Team.objects.filter(municipality__in=ids)
        self.municipality = Municipality.objects.filter(pk__in=ids).order_by("name").first()


class BudgetForm(NLDSFormMixin, _BudgetFields):
    pass


class _MandateFields(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    title = forms.CharField(
        label=_("name of the rung"),
        max_length=100,
        required=False,
        help_text=_("As the workers know it, e.g. “Manager sociaal domein” or “College van B en W”."),
    )
    role = forms.ChoiceField(label=_("role"), required=False)
    user = forms.ModelChoiceField(
        label=_("or a named person"),
        queryset=None,
        required=False,
        help_text=_("A manager or director of the social domain, or who decides for the college."),
    )
    max_amount = MoneyField(
        label=_("may approve up to"), required=False, help_text=_("Empty: no upper limit.")
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        from maatwerk.accounts.models import Role, User

        from .services.mandates import RUNG_ROLES

        self.fields["role"].choices = [("", "—")] + [(r.value, r.label) for r in map(Role, RUNG_ROLES)]
        self.fields["user"].queryset = (
            User.objects.filter(memberships__municipality=municipality, is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username


class MandateForm(NLDSFormMixin, _MandateFields):
    pass


class ThresholdForm(NLDSFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    above_amount = MoneyField(label=_("check required above"), help_text=_("In euros, e.g. 2.500,00."))
