"""The category → team mapping, loaded from TOML into values with a clear error for each mistake."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEAMS_FILE = Path(__file__).parent / "teams.toml"
TEAM_ID = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
CATEGORY = re.compile(r"^[a-z][a-z_]{1,39}$")


class TeamsError(ValueError):
    """The team mapping is not valid; the message says where."""


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class TeamMap:
    teams: tuple[Team, ...]

    def team(self, team_id: str) -> Team | None:
        return next((team for team in self.teams if team.id == team_id), None)

    def team_for(self, category: str) -> Team | None:
        return next((team for team in self.teams if category in team.categories), None)


def _team(team_id: str, body: Any) -> Team:
    where = f"teams.{team_id}"
    if not TEAM_ID.match(team_id):
        raise TeamsError(f"{where}: an id is 2-40 lower-case letters, digits or hyphens")
    if not isinstance(body, dict):
        raise TeamsError(f"{where}: must be a table with name and categories")
    unknown = sorted(set(body) - {"name", "categories"})
    if unknown:
        raise TeamsError(f"{where}: unknown keys {', '.join(unknown)}")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TeamsError(f"{where}.name: must be a non-empty string")
    categories = body.get("categories")
    if not isinstance(categories, list) or not categories:
        raise TeamsError(f"{where}.categories: must be a non-empty list")
    for category in categories:
        if not isinstance(category, str) or not CATEGORY.match(category):
            raise TeamsError(f"{where}.categories: {category!r} is not a category name")
    return Team(team_id, name.strip(), tuple(categories))


def parse_teams(document: str) -> TeamMap:
    """Pure: TOML text in, a TeamMap out; each category belongs to at most one team."""
    try:
        data = tomllib.loads(document)
    except tomllib.TOMLDecodeError as exc:
        raise TeamsError(f"not valid TOML: {exc}") from None
    tables = data.get("teams")
    if not isinstance(tables, dict) or not tables:
        raise TeamsError("teams: at least one [teams.<id>] table is required")
    teams = tuple(_team(team_id, body) for team_id, body in tables.items())
    owner: dict[str, str] = {}
    for team in teams:
        for category in team.categories:
            if category in owner:
                raise TeamsError(f"category {category!r} is mapped to both {owner[category]} and {team.id}")
            owner[category] = team.id
    return TeamMap(teams)


def load_teams(path: Path = TEAMS_FILE) -> TeamMap:
    return parse_teams(path.read_text(encoding="utf-8"))
