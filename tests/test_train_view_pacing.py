"""How training results reach the Train tab's page while it trains (app.train.view): one part
per result applied, the sub-tab not on screen left alone until opened, everything at a pause."""
import numpy as np
import pytest

from engine.train import TrainConfig
from app.train.view import create_train_view

SMALL = TrainConfig(hidden=(4,), seed=3)


@pytest.fixture
def training(monkeypatch):
    """A view whose model says it is training, results handed over as the pool's would be;
    each part, once drawn, is not due again during a test however slow the machine."""
    import app.train.view as train_view

    monkeypatch.setattr(train_view, "PARTS", tuple((p, 600.0) for p, _ in train_view.PARTS))
    view = create_train_view(n_samples=40, config=SMALL)
    view.model.running = True
    return view


def _result(view) -> None:
    """One job's result applied (what OffLoopRuns._apply does on the document's thread)."""
    view.model._publish(view.model.trainer.run(2))


def _snapshot(view):
    return (view.curves.n_points, np.array(view.boundary.grid_source.data["image"][0]),
            view.table.value["data"].to_numpy().copy())


def test_one_part_per_result_and_the_hidden_table_waits_for_its_tab(training):
    view = training
    assert view.tabs.active == 0                    # the network on screen, the table hidden
    for part in view._drawn_at:
        view._drawn_at[part] = 0.0                  # every part due
    points, grid, table = _snapshot(view)
    _result(view)                                   # 1st result: the curves only
    assert view.curves.n_points == points + 2
    np.testing.assert_array_equal(view.boundary.grid_source.data["image"][0], grid)
    _result(view)                                   # 2nd: the boundary
    assert view.curves.n_points == points + 2       # (kept, not drawn again yet)
    assert not np.array_equal(view.boundary.grid_source.data["image"][0], grid)
    _result(view)                                   # 3rd: the table's turn, but it is hidden
    np.testing.assert_array_equal(view.table.value["data"].to_numpy(), table)
    view.tabs.active = 1                            # opened: drawn at once
    np.testing.assert_array_equal(view.table.value["data"].to_numpy(),
                                  view.trainer.parameter_table()["data"])


def test_a_pause_shows_every_step_and_the_state_paused_on(training):
    view = training
    for _ in range(5):
        _result(view)
    view.model.pause()
    steps = list(view.curves.source.data["step"])
    assert steps == list(range(view.trainer.k))     # no step's loss missing from the curve
    xs, ys, Z = view.trainer.decision_grid(view.grid_resolution)
    np.testing.assert_array_equal(view.boundary.grid_source.data["image"][0], Z)
    np.testing.assert_array_equal(view.table.value["data"].to_numpy(),
                                  view.trainer.parameter_table()["data"])


def test_nothing_is_drawn_while_another_tab_is_shown_and_all_of_it_when_shown_again(training):
    view = training
    for part in view._drawn_at:
        view._drawn_at[part] = 0.0                  # every part due
    points, grid, table = _snapshot(view)
    view.on_screen = False                          # the reader went to the Graph tab
    for _ in range(4):
        _result(view)
    assert view.curves.n_points == points
    np.testing.assert_array_equal(view.boundary.grid_source.data["image"][0], grid)
    view.on_screen = True                           # back on the Train tab: the latest state
    assert list(view.curves.source.data["step"]) == list(range(view.trainer.k))
    xs, ys, Z = view.trainer.decision_grid(view.grid_resolution)
    np.testing.assert_array_equal(view.boundary.grid_source.data["image"][0], Z)


def test_the_app_tells_its_train_view_which_tab_is_shown():
    from app.factory import create_app

    app = create_app()
    app.tabs.active = 1
    assert app.train_view.on_screen
    app.tabs.active = 0
    assert not app.train_view.on_screen
    app.tabs.active = 1
    assert app.train_view.on_screen
    app.close()
