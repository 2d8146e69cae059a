"""Stories API: voices, themes and the voice-balance indicator, with the permissions of the stories page."""

from ninja import Router

router = Router(tags=["stories"])
