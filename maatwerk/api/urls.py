"""Registers every app's router on the one API; root urls include `api.urls`."""

from maatwerk.accounts.api import router as accounts_router

from .base import api, declare_error_responses

api.add_router("/", accounts_router)
api.add_router("/catalogue", "maatwerk.catalogue.api.router")
api.add_router("/", "maatwerk.cases.api.router")
api.add_router("/", "maatwerk.businesscases.api.router")
api.add_router("/barriers", "maatwerk.barriers.api.router")
api.add_router("/budget", "maatwerk.budgets.api.router")
api.add_router("/insights", "maatwerk.insights.api.router")
api.add_router("/voices", "maatwerk.insights.stories.api.router")

# After the last router: the error answers of every operation go into the OpenAPI document.
declare_error_responses(api)
