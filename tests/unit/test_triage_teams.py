"""The category → team mapping: the shipped file loads, and each kind of mistake is refused with where it is."""

from __future__ import annotations

import pytest

from services.triage.teams import TeamsError, load_teams, parse_teams


def test_the_shipped_mapping_sends_each_category_to_its_team() -> None:
    teams = load_teams()
    expected = {
        "child_exploitation": "Child Exploitation Team",
        "online_harm": "Child Exploitation Team",
        "missing_person": "Child Exploitation Team",
        "drugs": "Proactive Team",
        "weapons": "Proactive Team",
        "hate": "Neighbourhood Team",
        "mappa": "MAPPA Unit",
        "theft": "Investigation Hub",
        "modern_slavery": "Modern Slavery Unit",
        "other": "Intelligence Unit",
    }
    for category, name in expected.items():
        team = teams.team_for(category)
        assert team is not None and team.name == name
    assert teams.team_for("unmapped") is None
    assert teams.team("proactive") is not None


def test_a_category_mapped_to_two_teams_is_refused() -> None:
    one = '[teams.a-team]\nname = "A"\ncategories = ["drugs"]\n'
    document = one + '[teams.b-team]\nname = "B"\ncategories = ["drugs"]\n'
    with pytest.raises(TeamsError, match="'drugs' is mapped to both a-team and b-team"):
        parse_teams(document)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("teams = [", "not valid TOML"),
        ("", "at least one"),
        ('[teams.Bad]\nname = "X"\ncategories = ["drugs"]', "teams.Bad: an id"),
        ('[teams.ok]\ncategories = ["drugs"]', "teams.ok.name"),
        ('[teams.ok]\nname = "X"\ncategories = []', "teams.ok.categories: must be a non-empty list"),
        ('[teams.ok]\nname = "X"\ncategories = ["Not A Category"]', "is not a category name"),
        ('[teams.ok]\nname = "X"\ncategories = ["drugs"]\ncolour = "red"', "unknown keys colour"),
    ],
)
def test_each_mistake_names_where_it_is(document: str, message: str) -> None:
    with pytest.raises(TeamsError, match=message):
        parse_teams(document)
