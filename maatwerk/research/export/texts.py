"""The texts table of an export with free text: case notes, the client's quotes given with consent, and
the voices shared outside the team (`Voice.objects.shared()`, their shared text), each through
`maatwerk.lib.anonymize.anonymize_for_research` with the names of the case's household, one call per
paragraph. No dates, months or other columns travel with a text: only the case pseudonym and the kind.

Only the texts of published cases are written (a withheld case's texts stay home too). The queries are
the ORM's, compiled and run on the export's reader connection so that they read the same snapshot as the
cases, a few hundred cases at a time.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from maatwerk.cases.models import Feedback, Household, Note, Person, Voice
from maatwerk.lib.anonymize import anonymize_for_research, paragraphs

from . import dataset, files

BATCH = 500  # cases per query (SQLite's limit on parameters is far above it)
NOTE, QUOTE, VOICE = "note", "quote", "voice"


def deidentify(text: str, names: list[str]) -> str:
    """The text through the anonymiser, a paragraph at a time (blank paragraphs kept as they are)."""
    parts = paragraphs(text)
    return "\n\n".join(anonymize_for_research(p, names=names) if p.strip() else "" for p in parts).strip()


class TextWriter:
    def __init__(self, directory, reader, pseudonym):
        self.reader = reader
        self.pseudonym = pseudonym
        self.table = files.TableWriter(directory, "texts", files.schema(files.TEXT_COLUMNS))
        self.count = 0

    def _rows(self, queryset) -> list[tuple]:
        sql, params = queryset.query.sql_with_params()
        return self.reader.all(sql, params)

    def add(self, rows) -> None:
        for i in range(0, len(rows), BATCH):
            self._add({row[dataset.ID]: row[dataset.HOUSEHOLD] for row in rows[i : i + BATCH]})

    def _add(self, households: dict[int, int]) -> None:
        ids = list(households)
        names: dict[int, list[str]] = {h: [] for h in households.values()}
        for household, name in self._rows(Household.objects.filter(pk__in=names).values_list("pk", "name")):
            names[household].append(name)
        for household, first, last in self._rows(
            Person.objects.filter(household_id__in=names).values_list(
                "household_id", "first_name", "last_name"
            )
        ):
            names[household].extend(n for n in (first, last, f"{first} {last}") if n.strip())
        found: list[tuple[int, str, str]] = []
        closing_quote = Voice.objects.filter(
            case_id=OuterRef("case_id"), kind=Voice.Kind.QUOTE, conversation__isnull=True
        )
        sources = (
            (
                NOTE,
                Note.objects.filter(case_id__in=ids).order_by("case_id", "id").values_list("case_id", "text"),
            ),
            (
                QUOTE,
                # A consented quote became a voice at the closing, which its review and any withdrawal
                # govern (withdrawing also clears quote_consent): the quote itself only travels for cases
                # closed before voices existed, so that no quote comes twice or past its voice's review.
                Feedback.objects.filter(case_id__in=ids, quote_consent=True)
                .exclude(quote="")
                .exclude(Exists(closing_quote))
                .order_by("case_id")
                .values_list("case_id", "quote"),
            ),
            (
                VOICE,
                Voice.objects.shared()
                .filter(case_id__in=ids)
                .exclude(shared_text="")
                .order_by("case_id", "id")
                .values_list("case_id", "shared_text"),
            ),
        )
        for kind, queryset in sources:
            found.extend((case, kind, text) for case, text in self._rows(queryset))
        found.sort(key=lambda t: t[0])
        if not found:
            return
        cases, kinds, texts = [], [], []
        for case, kind, text in found:
            clean = deidentify(text, names[households[case]])
            if clean:
                cases.append(self.pseudonym(b"case", case))
                kinds.append(kind)
                texts.append(clean)
        if cases:
            self.table.write([cases, kinds, texts])
            self.count += len(cases)

    def close(self) -> None:
        self.table.close()
