"""digitcli.core.config: each default in one place."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from digitcli.core.config import ARCH_DEFAULTS, ARCH_SETTINGS, ARCHES, TrainConfig, train_config
from digitcli.core.errors import UsageError


@pytest.mark.parametrize("arch", ARCHES)
def test_each_arch_trains_with_its_own_defaults(arch: str) -> None:
    config = train_config(arch)
    assert {name: getattr(config, name) for name in ARCH_SETTINGS} == asdict(ARCH_DEFAULTS[arch])
    assert TrainConfig(arch=arch) == config


def test_the_arch_table_and_the_choices_agree() -> None:
    assert ARCHES == tuple(ARCH_DEFAULTS)
    assert TrainConfig() == train_config("mlp")


def test_given_settings_win_and_none_means_the_default() -> None:
    config = train_config("cnn", epochs=3, layers=[4, 8], learning_rate=None, seed=7)
    assert (config.epochs, config.layers, config.seed) == (3, (4, 8), 7)
    assert config.learning_rate == ARCH_DEFAULTS["cnn"].learning_rate


def test_from_dict_fills_what_a_record_lacks_and_ignores_what_it_does_not_know() -> None:
    config = TrainConfig.from_dict({"arch": "mlp512", "epochs": 2, "future_setting": 1})
    # recorded before deskewing, flag styles, hollow strokes, fonts and continental shapes: no
    # deskew, short flags, no hollow strokes, no fonts and no continental shapes
    assert config == train_config(
        "mlp512", epochs=2, deskew=False, flags="short", hollow=0.0, fonts=0.0, continental=0.0
    )
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_an_unknown_arch_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown architecture 'vit'"):
        train_config("vit")
