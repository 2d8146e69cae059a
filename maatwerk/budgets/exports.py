"""Payment batches for the financial administration: a SEPA credit transfer (pain.001.001.03) and CSV.

A registry of exporters (after healthchecks' TRANSPORTS): name → (function, content type, file suffix).
pain.001.001.03 is written with xml.etree, to the structure of the EPC SEPA Credit Transfer
implementation guidelines (one payment information block, one transaction per spend request, amounts
with two decimals, the spend reference as end-to-end id).
"""

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from maatwerk.lib.exports import money_text
from maatwerk.lib.money import round_money

PAIN_001_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
# Characters SEPA allows in names and remittance text; anything else becomes a space.
_SEPA_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str = ""


def sepa_text(value: str, limit: int) -> str:
    return "".join(c if c in _SEPA_CHARS else " " for c in (value or "")).strip()[:limit] or "-"


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def pain_001(
    spends: Sequence, *, debtor: Debtor, execution_date: date, message_id: str, now: datetime | None = None
) -> bytes:
    now = timezone.localtime(now or timezone.now())
    total = sum((round_money(s.amount) for s in spends), round_money(0))
    ET.register_namespace("", PAIN_001_NS)
    doc = ET.Element("Document", xmlns=PAIN_001_NS)
    root = _sub(doc, "CstmrCdtTrfInitn")
    header = _sub(root, "GrpHdr")
    _sub(header, "MsgId", sepa_text(message_id, 35))
    _sub(header, "CreDtTm", now.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "NbOfTxs", str(len(spends)))
    _sub(header, "CtrlSum", f"{total:.2f}")
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(debtor.name, 70))
    info = _sub(root, "PmtInf")
    _sub(info, "PmtInfId", sepa_text(message_id, 35))
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "BtchBookg", "true")
    _sub(info, "NbOfTxs", str(len(spends)))
    _sub(info, "CtrlSum", f"{total:.2f}")
    _sub(_sub(_sub(info, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(info, "ReqdExctnDt", execution_date.isoformat())
    _sub(_sub(info, "Dbtr"), "Nm", sepa_text(debtor.name, 70))
    _sub(_sub(_sub(info, "DbtrAcct"), "Id"), "IBAN", debtor.iban)
    agent = _sub(_sub(info, "DbtrAgt"), "FinInstnId")
    if debtor.bic:
        _sub(agent, "BIC", debtor.bic)
    else:
        _sub(_sub(agent, "Othr"), "Id", "NOTPROVIDED")
    _sub(info, "ChrgBr", "SLEV")
    for spend in spends:
        tx = _sub(info, "CdtTrfTxInf")
        _sub(_sub(tx, "PmtId"), "EndToEndId", spend.reference)
        _sub(_sub(tx, "Amt"), "InstdAmt", f"{round_money(spend.amount):.2f}", Ccy="EUR")
        _sub(_sub(tx, "Cdtr"), "Nm", sepa_text(spend.creditor_name, 70))
        _sub(_sub(_sub(tx, "CdtrAcct"), "Id"), "IBAN", spend.iban)
        _sub(_sub(tx, "RmtInf"), "Ustrd", sepa_text(f"{spend.reference} {spend.purpose}", 140))
    return ET.tostring(doc, encoding="utf-8", xml_declaration=True)


def batch_pain_001(batch, spends: Sequence) -> bytes:
    """A recorded payment batch's file, the same each time: its debtor, date, message id and creation time."""
    return pain_001(
        spends,
        debtor=Debtor(batch.debtor_name, batch.debtor_iban, batch.debtor_bic),
        execution_date=batch.execution_date,
        message_id=batch.message_id,
        now=batch.created_at,
    )


def csv_cell(value) -> str:
    """Escape cells that a spreadsheet would run as a formula (= + - @, and tab/CR)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = [
    "reference",
    "status",
    "team",
    "channel",
    "legal_basis",
    "amount",
    "creditor_name",
    "iban",
    "purpose",
    "approved_at",
    "paid_at",
]


def payments_csv(spends: Sequence) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for s in spends:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    s.reference,
                    s.status,
                    s.team.name,
                    s.channel,
                    s.legal_basis,
                    money_text(s.amount),
                    s.creditor_name,
                    s.iban,
                    s.purpose,
                    s.decided_at.isoformat() if s.decided_at else "",
                    s.paid_at.isoformat() if s.paid_at else "",
                )
            ]
        )
    return out.getvalue()
