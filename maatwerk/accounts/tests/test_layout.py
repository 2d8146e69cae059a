"""The page layout in a browser: the header keeps its own height on a short page (issue 11, point 7).

Utrecht's page body is a grid at least as tall as the window; without row sizes the grid shared the spare
height out over its rows, so the header of a short page (the login page, a 404) grew to 200 px of blank."""

import os

import pytest

from conftest import browser_login

pytestmark = pytest.mark.browser


def header_and_window(page):
    return page.evaluate(
        """() => ({header: document.querySelector("header").getBoundingClientRect().height,
                   main: document.querySelector("main").getBoundingClientRect().height,
                   footer: document.querySelector("footer").getBoundingClientRect().bottom,
                   window: window.innerHeight})"""
    )


def screenshot(page, name):
    # MAATWERK_SCREENSHOTS=dir keeps a picture of each page, to look at by hand.
    if folder := os.environ.get("MAATWERK_SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("path", ["/inloggen/", "/bestaat-niet/"])
def test_the_header_of_a_short_page_keeps_its_height(page, path):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(path)
    sizes = header_and_window(page)
    screenshot(page, path.strip("/"))
    assert sizes["header"] < 100, sizes  # one row: logo, language switch
    assert sizes["footer"] <= sizes["window"] + 1, sizes  # the footer still ends the window, not the page


def test_the_header_of_a_signed_in_short_page_keeps_its_height(page, world):
    page.set_viewport_size({"width": 1280, "height": 1000})
    browser_login(page, "alice")
    page.goto("/bestaat-niet/")
    sizes = header_and_window(page)
    screenshot(page, "signed-in-404")
    assert sizes["header"] < 140, sizes  # two rows: who is signed in, the navigation
