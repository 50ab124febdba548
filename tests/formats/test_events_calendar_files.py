"""Events and calendar files: read into objects, and every bad record names its field."""

from __future__ import annotations

import json

import pytest

from logistics.core.errors import ProblemError
from logistics.core.events import Breakdown, Cancel, Delay, NewOrder, NewWindows
from logistics.formats.calendar_file import read_calendar
from logistics.formats.events_file import events_from_records, read_events


def test_events_file_reads_every_kind(tmp_path):
    p = tmp_path / "events.yaml"
    p.write_text(
        """at: "13:00"
events:
  - {type: new_order, order: {id: N1, node_id: v1, quantities: {parcels: 20}, time_windows: [["14:00", "16:00"]]}}
  - {type: cancel, order_id: 7}
  - {type: breakdown, vehicle: "van#1", at: "12:30", recover_min: 45}
  - {type: delay, vehicle: "van#2", minutes: 25}
  - {type: time_windows, order_id: D3, time_windows: [["15:00", "17:00"]]}
""",
        encoding="utf-8",
    )
    events, at = read_events(p)
    assert at == 13 * 3600
    new, cancel, broken, delay, wins = events
    assert isinstance(new, NewOrder) and new.order.id == "N1" and new.order.time_windows == ((50400, 57600),)
    assert cancel == Cancel("7")
    assert broken == Breakdown("van#1", at=45000, recover_min=45)
    assert delay == Delay("van#2", 25.0)
    assert wins == NewWindows("D3", ((54000, 61200),))


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"type": "delay", "vehicle": "v#1"}, "events[0]"),
        ({"type": "delay", "vehicle": "v#1", "minutes": 5000}, "events[0].minutes"),
        ({"type": "breakdown", "vehicle": "v#1", "at": "noon"}, "events[0].at"),
        ({"type": "explode", "vehicle": "v#1"}, "events[0].type"),
        ({"type": "time_windows", "order_id": "a", "time_windows": [["17:00", "15:00"]]}, "events[0].time_windows[0]"),
        (
            {"type": "new_order", "order": {"id": "n", "node_id": "v", "quantities": {"x": -1}}},
            "events[0].order.quantities.x",
        ),
        ({"type": "cancel", "order_id": "a", "extra": 1}, "events[0]"),
    ],
)
def test_bad_events_name_the_field(record, field):
    with pytest.raises(ProblemError) as e:
        events_from_records([record])
    assert e.value.field == field, str(e.value)


def test_calendar_file_and_its_errors(tmp_path):
    p = tmp_path / "cal.json"
    p.write_text(
        json.dumps(
            {
                "days": ["Mon", "Wed", "Fri"],
                "default": {"frequency": 1, "days": ["Mon", "Wed"]},
                "rules": [{"village": "v1", "frequency": 2, "by": "Wed"}, {"order_id": 5, "frequency": 3}],
            }
        )
    )
    cal = read_calendar(p)
    assert cal.days == (0, 2, 4)
    assert cal.default.days == (0, 2)
    assert cal.rules["v1"].frequency == 2 and cal.rules["v1"].by == 2
    assert cal.rules["5"].frequency == 3
    for doc, field in [
        ({"rules": [{"village": "v1", "frequency": 0}]}, "rules[0].frequency"),
        ({"rules": [{"village": "v1", "order_id": "a"}]}, "rules[0]"),
        ({"rules": [{"village": "v1"}, {"village": "v1"}]}, "rules[1]"),
        ({"days": ["Mon", "Someday"]}, "days[1]"),
        ({"default": {"by": "Xyz"}}, "default.by"),
    ]:
        p.write_text(json.dumps(doc))
        with pytest.raises(ProblemError) as e:
            read_calendar(p)
        assert e.value.field == field, str(e.value)
