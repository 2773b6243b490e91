"""A checkpoint whose state.json holds values no run could have written (epoch -5, 1e308, more
than the run's epochs, a best epoch after the last) is damaged, said with the file and how to
start over; never "unexpected ValueError", never a run "after epoch 10000...(309 digits)"."""

from __future__ import annotations

import json

import pytest
from test_checkpoints import checkpoint_of

from digitcli.core.errors import UsageError


@pytest.mark.parametrize(
    "field, value",
    [("epoch", -5), ("epoch", 1e308), ("epoch", 4), ("epoch", 1.5), ("epoch", True),
     ("best_epoch", 2), ("best_epoch", -1), ("train_seconds", -1.0),
     ("train_seconds", float("inf"))],
)  # fmt: skip
def test_impossible_state_is_a_damaged_checkpoint(field, value, tmp_path, tiny_data, tiny_model):
    from digitcli.training.train import train

    output = tmp_path / "m"
    folder, config = checkpoint_of(output, tiny_data, tiny_model)
    state = json.loads((folder / "state.json").read_text())
    state[field] = value
    (folder / "state.json").write_text(json.dumps(state))
    with pytest.raises(UsageError) as raised:
        train(config, data=tiny_data, output=output, resume=True)
    said = str(raised.value)
    assert str(folder / "state.json") in said and "damaged" in said and "--force" in said
    assert not output.exists()
