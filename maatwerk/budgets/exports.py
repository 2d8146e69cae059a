"""Payment batches for the financial administration: a SEPA credit transfer (pain.001.001.03) and CSV.

A registry of exporters (after healthchecks' TRANSPORTS): name → (function, content type, file suffix).
pain.001.001.03 is written with xml.etree, to the structure of the EPC SEPA Credit Transfer
implementation guidelines (one payment information block, one transaction per spend request, amounts
with two decimals, the spend reference as end-to-end id). Every file is checked against the official
schema and the SEPA character set before anyone gets it (`pain_001` raises `SepaFileInvalid`).
"""

import csv
import io
import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.lib.exports import money_text
from maatwerk.lib.money import round_money
from maatwerk.lib.sepa import PAIN_001_NS, pain_001_errors, sepa_amount, sepa_id, sepa_text

logger = logging.getLogger(__name__)

# What the financial administrator is told when a file fails the check; the reason is in the log.
NOT_RECORDED = _(
    "The SEPA file for this batch does not meet the bank's standard (pain.001.001.03), so the batch was "
    "not recorded. The details are in the server log; ask the application manager."
)
NOT_OFFERED = _(
    "The SEPA file of this batch does not meet the bank's standard (pain.001.001.03) and is not offered "
    "for download. The details are in the server log; ask the application manager."
)


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str = ""


class SepaFileInvalid(Exception):
    """A written pain.001 file that a bank would refuse; `errors` says why (for the operator's log)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def pain_001(
    spends: Sequence, *, debtor: Debtor, execution_date: date, message_id: str, now: datetime | None = None
) -> bytes:
    """The file, checked: raises SepaFileInvalid (and logs why) when it would not pass the bank's checks."""
    data = write_pain_001(
        spends, debtor=debtor, execution_date=execution_date, message_id=message_id, now=now
    )
    errors = pain_001_errors(data)
    if errors:
        logger.error(
            "SEPA file %s does not validate against pain.001.001.03: %s", message_id, "; ".join(errors[:20])
        )
        raise SepaFileInvalid(errors)
    return data


def write_pain_001(
    spends: Sequence, *, debtor: Debtor, execution_date: date, message_id: str, now: datetime | None = None
) -> bytes:
    now = timezone.localtime(now or timezone.now())
    total = sum((round_money(s.amount) for s in spends), round_money(0))
    # The elements carry no namespace (xmlns is written as an attribute), so no prefix is registered: the
    # map is process-wide and the charts' SVG needs the empty prefix for its own namespace.
    doc = ET.Element("Document", xmlns=PAIN_001_NS)
    root = _sub(doc, "CstmrCdtTrfInitn")
    header = _sub(root, "GrpHdr")
    _sub(header, "MsgId", sepa_id(message_id))
    _sub(header, "CreDtTm", now.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "NbOfTxs", str(len(spends)))
    _sub(header, "CtrlSum", sepa_amount(total))
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(debtor.name, 70))
    info = _sub(root, "PmtInf")
    _sub(info, "PmtInfId", sepa_id(message_id))
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "BtchBookg", "true")
    _sub(info, "NbOfTxs", str(len(spends)))
    _sub(info, "CtrlSum", sepa_amount(total))
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
        _sub(_sub(tx, "PmtId"), "EndToEndId", sepa_id(spend.reference))
        _sub(_sub(tx, "Amt"), "InstdAmt", sepa_amount(round_money(spend.amount)), Ccy="EUR")
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
    "kind",
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
                    s.kind,
                    s.decided_at.isoformat() if s.decided_at else "",
                    s.paid_at.isoformat() if s.paid_at else "",
                )
            ]
        )
    return out.getvalue()
