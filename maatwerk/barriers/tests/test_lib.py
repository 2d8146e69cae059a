import pytest

from maatwerk.barriers.grouping import SignalRow, provision_key, suggest_groups


@pytest.mark.parametrize(
    "raw",
    ["art. 30 Awir", "Art 30 AWIR", "artikel 30 Awir", "  ART.  30   awir "],
)
def test_provision_key_normalises_how_people_write_articles(raw):
    assert provision_key(raw) == "art 30 awir"


def test_provision_key_keeps_different_articles_apart():
    assert provision_key("art. 4:90 Awb") != provision_key("art. 4:93 Awb")
    assert provision_key("art. 4:90 Awb") == "art 4:90 awb"


def row(id, *, type="rule_clash", agencies=1, key="art 30 awir", m=1, team=1, group=None):
    return SignalRow(
        id=id,
        type=type,
        agencies=agencies,
        provision_key=key,
        municipality_id=m,
        team_id=team,
        group_id=group,
    )


def test_suggest_groups_across_teams_and_municipalities():
    rows = [row(1), row(2, m=2, team=3), row(3, type="deadlines"), row(4, key=""), row(5, key="", m=2)]
    assert suggest_groups(rows) == [[1, 2]]


def test_suggest_groups_skips_same_team_and_already_grouped():
    assert suggest_groups([row(1), row(2)]) == []
    assert suggest_groups([row(1, group=7), row(2, m=2, group=7)]) == []
    assert suggest_groups([row(1, group=7), row(2, m=2)]) == [[1, 2]]
