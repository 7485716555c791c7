"""README promises that tests keep true: the two commands and the settings table."""

import re
from pathlib import Path

from app.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_shows_exactly_the_two_setup_commands():
    commands = re.findall(r"^\s+(make \w+)\s*$", README, flags=re.MULTILINE)
    assert commands == ["make run", "make test"]


def test_settings_table_matches_the_code():
    rows = dict(re.findall(r"^\| `(CANONYM_[A-Z_]+)` \| ([^|]+) \|", README, flags=re.MULTILINE))
    fields = Settings.model_fields
    assert set(rows) == {f"CANONYM_{name.upper()}" for name in fields}
    for name, field in fields.items():
        shown = rows[f"CANONYM_{name.upper()}"].strip().strip("`").replace("_", "")
        expected = "unset" if field.default is None else str(field.default).replace("_", "")
        assert shown == expected, name
