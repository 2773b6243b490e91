"""The one mechanism behind the preparation's and `read`'s settings (`core/tunables.py`'s
InForce): a frozen default in force, overridden by name for a block only."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest

from digitcli.imaging import settings as preparation
from digitcli.reading import settings as reading

# Each stage's settings module, a field to override with a value, and a field left alone.
STAGES = [
    (preparation, {"min_contrast": 30.0, "work_size": 128}, "faintest_ink"),
    (reading, {"line_doubt": 5.0, "max_atoms": 4}, "line_weight"),
]


@pytest.mark.parametrize("stage, changed, kept", STAGES, ids=["preparation", "reading"])
def test_the_settings_are_frozen_and_the_default_is_in_force(
    stage: ModuleType, changed: dict, kept: str
) -> None:
    assert stage.tuned() is stage.DEFAULT
    name, value = next(iter(changed.items()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(stage.DEFAULT, name, value)


@pytest.mark.parametrize("stage, changed, kept", STAGES, ids=["preparation", "reading"])
def test_an_override_holds_inside_its_block_only(
    stage: ModuleType, changed: dict, kept: str
) -> None:
    with stage.overridden(**changed) as inside:
        assert stage.tuned() is inside
        assert {name: getattr(inside, name) for name in changed} == changed
        assert getattr(inside, kept) == getattr(stage.DEFAULT, kept)
    assert stage.tuned() is stage.DEFAULT
    with pytest.raises(ValueError), stage.overridden(**changed):
        raise ValueError
    assert stage.tuned() is stage.DEFAULT


@pytest.mark.parametrize("stage", [preparation, reading], ids=["preparation", "reading"])
def test_an_unknown_setting_is_refused(stage: ModuleType) -> None:
    with pytest.raises(TypeError), stage.overridden(no_such_setting=1.0):
        pass
    assert stage.tuned() is stage.DEFAULT
