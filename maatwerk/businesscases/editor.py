"""The editor's state: rows of flows per route and the parameters, as posted form data.

The editor keeps no state on the server between requests: every request posts all rows, and adding or
removing a row rebuilds the form data. That keeps it working without JavaScript (full-page POST) and with
htmx (the same form posted to the preview endpoint on every change).
"""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from maatwerk.catalogue.models import CostItem, Per
from maatwerk.catalogue.services import ItemPrice

from . import engine
from .evaluation import WORKER_FLOW_CODE
from .forms import FlowFormSet, ParametersForm
from .presentation import field_label, plan_error_message, plan_error_text

ROUTES = engine.ROUTES
FLOW_FIELDS = (
    "cost_code",
    "unit_note",
    "label",
    "payer",
    "amount",
    "quantity",
    "per",
    "start_month",
    "months",
    "probability",
    "low",
    "high",
)
PARAM_FIELDS = ("horizon_months", "discount_rate", "deadweight", "optimism_bias", "hourly_rate", "note")
MAX_ROWS = 100
HUNDRED = Decimal(100)


def fmt(value) -> str:
    """A number as the editor shows it: decimal comma, no needless zeros."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    text = f"{number.quantize(Decimal('0.01')) if number != number.to_integral() else number.to_integral():f}"
    return text.replace(".", ",")


def _count(data: Mapping, route: str) -> int:
    try:
        return max(0, min(int(data.get(f"{route}-TOTAL_FORMS", 0)), MAX_ROWS))
    except (TypeError, ValueError):
        return 0


def rows_from_data(data: Mapping) -> dict[str, list[dict]]:
    return {
        route: [
            {f: data.get(f"{route}-{i}-{f}", "") for f in FLOW_FIELDS} for i in range(_count(data, route))
        ]
        for route in ROUTES
    }


def params_from_data(data: Mapping) -> dict:
    return {f: data.get(f, "") for f in PARAM_FIELDS}


def form_data(params: Mapping, rows: Mapping[str, list[dict]]) -> dict:
    data = {f: params.get(f, "") for f in PARAM_FIELDS}
    for route in ROUTES:
        route_rows = rows.get(route, [])
        data.update(
            {
                f"{route}-TOTAL_FORMS": str(len(route_rows)),
                # Every row counts as an initial form: a row left at its defaults is still validated (an
                # "extra" form that has not changed would silently be skipped).
                f"{route}-INITIAL_FORMS": str(len(route_rows)),
                f"{route}-MIN_NUM_FORMS": "0",
                f"{route}-MAX_NUM_FORMS": str(MAX_ROWS),
            }
        )
        for i, row in enumerate(route_rows):
            for f in FLOW_FIELDS:
                value = row.get(f, "")
                data[f"{route}-{i}-{f}"] = "" if value is None else str(value)
    return data


def default_params(hourly_rate: Decimal) -> dict:
    return {
        "horizon_months": "36",
        "discount_rate": "2,25",
        "deadweight": "0",
        "optimism_bias": "",
        "hourly_rate": fmt(hourly_rate),
        "note": "",
    }


def blank_row() -> dict:
    return {
        **dict.fromkeys(FLOW_FIELDS, ""),
        "payer": "gemeente",
        "quantity": "1",
        "per": "once",
        "start_month": "0",
        "probability": "100",
    }


def row_from_item(item: CostItem, price: ItemPrice) -> dict:
    """A catalogue item as a new row, with the municipality's current-year amount."""
    amount = price.amount if price.amount is not None else price.base_amount
    row = blank_row()
    row.update(cost_code=item.code, label=item.name_nl[:120], payer=item.payer, amount=fmt(amount))
    if item.per in (Per.ONCE, Per.MONTH, Per.YEAR):
        row["per"] = item.per
        row["unit_note"] = item.unit_note
    else:
        # An hourly or daily rate: the quantity is the number of hours or days per month.
        row["per"] = "month"
        row["unit_note"] = _("%(unit)s rate: enter hours or days per month as quantity") % {
            "unit": item.get_per_display()
        }
    return row


def rows_from_plan(plan: Mapping) -> dict[str, list[dict]]:
    """Editor rows for a version made without the editor (API): amounts as they are, quantity 1."""
    rows: dict[str, list[dict]] = {}
    for route in ROUTES:
        rows[route] = []
        for flow in plan.get(route) or []:
            if flow.get("cost_code") == WORKER_FLOW_CODE:
                continue
            row = blank_row()
            amount = flow.get("amount")
            if isinstance(amount, Mapping):
                row.update(
                    amount=fmt(amount.get("mode")), low=fmt(amount.get("low")), high=fmt(amount.get("high"))
                )
            else:
                row["amount"] = fmt(amount)
            probability = flow.get("probability", 1)
            if isinstance(probability, Mapping):
                probability = sum(float(probability[k]) for k in ("low", "mode", "high")) / 3
            row.update(
                cost_code=flow.get("cost_code") or "",
                label=flow.get("label") or "",
                payer=flow.get("payer") or "gemeente",
                per=flow.get("per") or "once",
                start_month=str(flow.get("start_month", flow.get("month")) or 0),
                months="" if flow.get("months") is None else str(flow["months"]),
                probability=fmt(Decimal(str(probability)) * HUNDRED),
            )
            rows[route].append(row)
    return rows


def params_from_plan(plan: Mapping, hourly_rate: Decimal, *, bias_applied: bool) -> dict:
    params = default_params(hourly_rate)
    params.update(
        horizon_months=str(plan.get("horizon_months", 36)),
        discount_rate=fmt(Decimal(str(plan.get("discount_rate", 0.0225))) * HUNDRED),
        deadweight=fmt(Decimal(str(plan.get("deadweight", 0))) * HUNDRED),
        optimism_bias="" if bias_applied else fmt(Decimal(str(plan.get("optimism_bias", 0))) * HUNDRED),
    )
    return params


class Editor:
    """Bound forms for one posted (or initial) state, and the plan they describe."""

    def __init__(self, data: Mapping):
        self.data = data
        self.params = ParametersForm(data)
        self.formsets = {route: FlowFormSet(data, prefix=route) for route in ROUTES}

    def is_valid(self) -> bool:
        # Validate everything, so every error shows at once.
        results = [self.params.is_valid()] + [fs.is_valid() for fs in self.formsets.values()]
        return all(results)

    def plan(self) -> tuple[dict, Decimal]:
        """The engine plan (floats at the edge) and the hourly rate; call after :meth:`is_valid`."""
        p = self.params.cleaned_data
        plan: dict = {
            "horizon_months": p["horizon_months"],
            "discount_rate": float(p["discount_rate"] / HUNDRED),
            "deadweight": float(p["deadweight"] / HUNDRED),
            "optimism_bias": None if p["optimism_bias"] is None else float(p["optimism_bias"] / HUNDRED),
        }
        for route, formset in self.formsets.items():
            flows = []
            for form in formset.forms:
                c = form.cleaned_data
                quantity = c["quantity"]
                amount = c["amount"] * quantity
                flow = {
                    "label": c["label"],
                    "payer": c["payer"],
                    "per": c["per"],
                    "start_month": c["start_month"],
                    "probability": float(c["probability"] / HUNDRED),
                    "amount": float(amount),
                }
                if c.get("low") is not None and c.get("high") is not None:
                    flow["amount"] = {
                        "low": float(c["low"] * quantity),
                        "mode": float(amount),
                        "high": float(c["high"] * quantity),
                    }
                if c.get("months"):
                    flow["months"] = c["months"]
                if c.get("cost_code"):
                    flow["cost_code"] = c["cost_code"]
                flows.append(flow)
            plan[route] = flows
        return plan, self.params.cleaned_data["hourly_rate"]

    def inputs(self) -> dict:
        """The raw state, stored with a version so the editor can show it again as typed."""
        return {"params": params_from_data(self.data), "rows": rows_from_data(self.data)}

    def apply_plan_error(self, exc: engine.PlanError) -> None:
        """Put an engine error on the form field it names (e.g. ``regular_route[0].months``)."""
        path = exc.field
        for route, formset in self.formsets.items():
            if path.startswith(f"{route}["):
                index_text, _sep, rest = path[len(route) + 1 :].partition("]")
                rest = rest.lstrip(".")
                name = {
                    "amount.low": "low",
                    "amount.high": "high",
                    "amount.mode": "amount",
                    "month": "start_month",
                }.get(rest, rest.split(".")[0])
                try:
                    form = formset.forms[int(index_text)]
                except (ValueError, IndexError):
                    break
                if name in form.fields:
                    form.add_error(name, plan_error_message(exc))
                    return
                form.add_error(None, plan_error_text(exc))
                return
        if path in self.params.fields:
            self.params.add_error(path, plan_error_message(exc))
        else:
            self.params.add_error(None, plan_error_text(exc))

    def errors(self) -> list[str]:
        """Every error as "field label: message", for the live preview's summary."""
        out = []
        for name, errs in self.params.errors.items():
            label = self.params.fields[name].label if name in self.params.fields else ""
            out += [f"{label}: {e}" if label else str(e) for e in errs]
        for route, formset in self.formsets.items():
            out += [str(e) for e in formset.non_form_errors()]
            for i, form in enumerate(formset.forms):
                for name, errs in form.errors.items():
                    label = form.fields[name].label if name in form.fields else ""
                    prefix = field_label(f"{route}[{i}]")  # "Investering 1", "Reguliere route, regel 2"
                    out += [f"{prefix} — {label}: {e}" if label else f"{prefix}: {e}" for e in errs]
        return out
