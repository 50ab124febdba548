"""A week with service calendars: frequency and allowed days hold, every day validates, coverage counts them."""

from __future__ import annotations

import pytest

import logistics
from logistics.core.calendar import WEEKDAYS, ServiceRule, weekday
from logistics.core.errors import ProblemError
from logistics.core.options import SolveOptions
from logistics.planners.coverage import service_days
from logistics.planners.week import assign_days, plan_week

DAYS = ("Mon", "Tue", "Wed", "Thu")
FAST = SolveOptions(time_limit=1.0, seed=0, workers=1)


@pytest.fixture(scope="module")
def demand():
    return logistics.yanhu_demo(seed=2, deliveries=30, pickups=8, roads=False)


def calendar(problem):
    rules = {}
    for k, o in enumerate(problem.orders):
        if k % 5 == 0:
            rules[o.id] = ServiceRule(frequency=2)
        elif k % 5 == 1:
            rules[o.id] = ServiceRule(frequency=1, days=("Tue", "Thu"))
        elif k % 5 == 2:
            rules[o.id] = ServiceRule(frequency=1, by="Tue")
    return rules


def check_rules(problem, rules, choice, days):
    allowed_days = {weekday(d) for d in days}
    for o, c in zip(problem.orders, choice):
        rule = rules.get(o.id, ServiceRule())
        assert len(c) == rule.frequency == len(set(c)), o.id
        assert set(c) <= allowed_days
        if rule.days is not None:
            assert set(c) <= set(rule.days), o.id
        if rule.by is not None:
            assert min(c) <= rule.by, o.id


@pytest.mark.parametrize("strategy", ["round_robin", "cluster"])
def test_days_respect_frequency_allowed_days_and_by(demand, strategy):
    rules = calendar(demand)
    choice, meta = assign_days(demand, rules, days=DAYS, strategy=strategy)
    check_rules(demand, rules, choice, DAYS)
    assert meta["proxy"] <= meta["proxy_start"] + 1e-6


def test_moves_lower_the_proxy_below_the_seed(demand):
    rules = calendar(demand)
    _, seeded = assign_days(demand, rules, days=DAYS, strategy="cluster", swaps=0)
    _, moved = assign_days(demand, rules, days=DAYS, strategy="cluster", swaps=3)
    assert seeded["moves"] == 0 and moved["moves"] > 0
    assert moved["proxy"] < seeded["proxy"]


def test_week_plans_validate_and_coverage_reads_them(demand):
    rules = calendar(demand)
    week = plan_week(demand, rules, days=DAYS, options=FAST)
    assert list(week.plans) == list(DAYS)
    visits = {}
    for day, plan in week.plans.items():
        assert logistics.validate(week.problems[day], plan) == []
        for o in week.problems[day].orders:
            visits.setdefault(o.id, set()).add(WEEKDAYS.index(day))
    choice = [tuple(sorted(visits.get(o.id, ()))) for o in demand.orders]
    check_rules(demand, rules, choice, DAYS)
    a = week.assignment.set_index("order_id")
    assert all(a.loc[o.id, "days"] == ",".join(WEEKDAYS[d] for d in c) for o, c in zip(demand.orders, choice))
    assert week.kpis["served"] + week.kpis["unserved"] == sum(len(c) for c in choice)
    sd = service_days(week, demand.network).set_index("village")
    for o, c in zip(demand.orders, choice):
        if o.node_id in sd.index and sum(p.node_id == o.node_id for p in demand.orders) == 1:
            served_days = {WEEKDAYS.index(d) for d, p in week.plans.items() if o.id in set(p.stops["order_id"])}
            assert sd.loc[o.node_id, "days_per_week"] == len(served_days)


def test_bad_calendars_name_the_field(demand):
    first = demand.orders[0].id
    with pytest.raises(ProblemError) as e:
        assign_days(demand, {first: ServiceRule(frequency=3, days=("Mon", "Tue"))}, days=DAYS)
    assert e.value.field == "frequency" and e.value.record == first
    with pytest.raises(ProblemError) as e:
        assign_days(demand, {first: ServiceRule(by="Mon", days=("Wed",))}, days=DAYS)
    assert e.value.field == "by"
    with pytest.raises(ProblemError) as e:
        ServiceRule(frequency=8)
    assert e.value.field == "frequency"
    with pytest.raises(ProblemError) as e:
        assign_days(demand, {}, days=("Mon", "Funday"))
    assert e.value.field == "days"
    with pytest.raises(ProblemError) as e:
        assign_days(demand, {}, strategy="random")
    assert e.value.field == "strategy"
    assert [weekday(x) for x in ("Mon", "tuesday", "周三", 3, "Fri")] == [0, 1, 2, 3, 4]
