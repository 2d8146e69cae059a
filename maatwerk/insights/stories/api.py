"""Stories API: voices, themes and the voice-balance indicator, with the permissions of the stories page.

The filters are the page's (checked by the same `StoryFilterForm`, so a bad one is a 422 naming it), the
scope and the hidden groups are the page's (`draw`), and a quote's text is always `shared_text`."""

from django.http import QueryDict
from ninja import Field, Query, Router, Schema

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog
from maatwerk.api.base import Error
from maatwerk.cases.models import Theme
from maatwerk.cases.queries import page_of
from maatwerk.validation import MAX_PAGE

from . import draw, source

router = Router(tags=["stories"])
PER_PAGE = 25


class StoryQuery(Schema):
    level: str | None = Field(None, description="team, municipality or nation (default: your narrowest)")
    period_from: str | None = Field(None, description="First month, YYYY-MM (the date the quote was said)")
    period_to: str | None = Field(None, description="Last month, YYYY-MM, inclusive")
    municipality: str | None = Field(None, description="A municipality id you may see")
    team: str | None = Field(None, description="A team id you may see")
    group: str | None = Field(None, description="client, worker, team_lead, policy or partner")
    tone: str | None = Field(None, description="positive, critical or mixed")
    theme: str | None = Field(None, description="An active theme's id (GET /api/v1/voices/themes)")


class VoiceQuery(StoryQuery):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(PER_PAGE, ge=1, le=100)


class IndicatorQuery(StoryQuery):
    seed: str | None = Field(None, description="The draw, 1..2^31; default the draw of the day (as the page)")


class ThemeRef(Schema):
    id: int
    name: str


class VoiceOut(Schema):
    id: int
    group: str
    role: str
    kind: str
    tone: str
    themes: list[ThemeRef]
    said_month: str = Field(..., description="YYYY-MM")
    municipality: str
    text: str = Field(..., description="The de-identified text, as everybody outside the team sees it")


class VoicePage(Schema):
    items: list[VoiceOut]
    page: int
    has_next: bool = Field(..., description="Pages are not counted (no COUNT over large sets).")


class ThemeOut(Schema):
    id: int
    name: str
    name_en: str
    description: str
    barrier_type: str = Field(..., description="The barrier type a knelpunt of this theme is; empty for none")


class IndicatorRow(Schema):
    group: str
    label: str
    respondents: int | str = Field(..., description="Rounded to 5 for policy, programme and researchers")
    respondent_share: float
    quotes: int
    quote_share: float
    distinct_voices: float = Field(..., description="Kish: (sum of quotes per respondent)^2 / sum of squares")
    tones: dict[str, int] = Field(..., description="Quotes per tone code")


class IndicatorTotals(Schema):
    respondents: int | str
    quotes: int
    distinct_voices: float
    critical_share: float
    corpus_critical_share: float = Field(..., description="The critical share of every quote in the scope")


class IndicatorOut(Schema):
    seed: int
    sample: list[int] = Field(..., description="The ids of the quotes the page shows for these filters")
    rows: list[IndicatorRow]
    totals: IndicatorTotals
    flags: list[str] = Field(..., description="What to look at again before the quotes are used, in Dutch")
    hidden: list[str] = Field(..., description="Groups left out: fewer than 10 respondents in the scope")


def _request(request, params: Schema, *, extra: tuple[str, ...] = ()) -> draw.Request:
    query = QueryDict(mutable=True)
    for key in [*StoryQuery.model_fields, *extra]:
        value = getattr(params, key)
        if value not in (None, ""):
            query[key] = value
    req = draw.raise_for(draw.request_for(request.user, query))
    log_access(
        request.user,
        action=AccessLog.Action.READ,
        purpose=f"stories api ({req.audience.level})",
        object_type="insights.stories",
        object_id=req.audience.level,
        request=request,
    )
    return req


def _voice_out(voice) -> dict:
    return {
        "id": voice.pk,
        "group": voice.group,
        "role": voice.role,
        "kind": voice.kind,
        "tone": voice.tone,
        "themes": [{"id": t.pk, "name": t.name} for t in voice.themes.all()],
        "said_month": voice.said_on.strftime("%Y-%m"),
        "municipality": voice.municipality.name,
        "text": voice.shared_text,
    }


@router.get(
    "",
    response={200: VoicePage, 403: Error},
    summary="The shared quotes of the filters, newest first, paginated",
)
def list_voices(request, params: Query[VoiceQuery]):
    req = _request(request, params)
    voices, has_next = page_of(
        draw.with_details(source.visible(req.audience, req.filters)), params.page, params.per_page
    )
    return {"items": [_voice_out(v) for v in voices], "page": params.page, "has_next": has_next}


@router.get("/themes", response=list[ThemeOut], summary="The active themes (for every logged-in user)")
def list_themes(request):
    return list(Theme.objects.filter(active=True).order_by("order", "name"))


@router.get(
    "/indicator",
    response={200: IndicatorOut, 403: Error},
    summary="The voice-balance indicator of the sample the stories page shows for these filters and seed",
)
def get_indicator(request, params: Query[IndicatorQuery]):
    req = _request(request, params, extra=("seed",))
    sample = draw.draw(req.audience, req.filters, req.seed)
    built = sample.indicator
    return {
        "seed": sample.seed,
        "sample": [v.pk for v in sample.voices],
        "rows": [
            {
                "group": row.group,
                "label": row.label,
                "respondents": row.respondents,
                "respondent_share": row.respondent_share,
                "quotes": row.quotes,
                "quote_share": row.quote_share,
                "distinct_voices": row.distinct_voices,
                "tones": counts.tones,
            }
            for row, counts in zip(built.rows, built.balance.groups, strict=True)
        ],
        "totals": {
            "respondents": built.respondents,
            "quotes": built.balance.quotes,
            "distinct_voices": built.balance.distinct_voices,
            "critical_share": built.balance.critical_share,
            "corpus_critical_share": built.balance.corpus_critical_share,
        },
        "flags": built.messages,
        "hidden": built.hidden,
    }
