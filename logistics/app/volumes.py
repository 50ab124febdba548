"""The Yanhu demo day's volumes, derived from published figures, with every step's basis on record.

Each input is a `Figure` with its source, the date of the figure and the source, and a status:
``sourced`` (a published number, quoted), or ``assumed`` (a planning assumption, no published
number found).  `district_day` turns them into one harvest-season day of the district's flows,
and `basis` lists every figure and every derived total for ``meta`` and the docs.

Down (goods to villages, kg a day):

* parcels: rural China's express parcels to and from villages a year (2020), half of them
  inbound (assumed), per rural resident (2020 census), times Yanhu's rural residents (2023),
  over 365 days, at an assumed 1 kg a parcel;
* refrigerated groceries: Yanhu's rural residents times assumed kilograms per resident a day.

Up (produce to the hub, kg a day):

* apples: Yuncheng's express parcels of apples in 2021, times Yanhu's share of the city's fruit
  output (2021), the share sent in the September–November harvest (assumed) over its 91 days, at
  5 kg a parcel (the figure the 2018 report counts with), times the share that leaves the villages
  through the public three-tier network rather than packing houses' own pick-ups (assumed);
* pears and dates: apples scaled by Shanxi's 2021 output of pears and of dates against apples (the
  province's mix stands in for the district's, assumed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["FIGURES", "Figure", "basis", "district_day"]


@dataclass(frozen=True)
class Figure:
    """One input of the volume derivation, with where it comes from.

    Parameters
    ----------
    key
        The name the derivation uses.
    value
        The number, in ``unit``.
    unit
        Its unit.
    what
        What it counts.
    status
        ``"sourced"`` (published) or ``"assumed"`` (a planning assumption).
    source
        Where it is published (title, publisher, address), or why it is assumed.
    date
        The date of the figure (its year) and of the publication.
    """

    key: str
    value: float
    unit: str
    what: str
    status: str
    source: str
    date: str


_YCRB = "运城晚报 via 运城新闻网, “运城苹果”获评2021年快递服务现代农业金牌项目, http://www.sxycrb.com/2022-01/12/content_238077.html"
_NKB = "农业科技报, 运城苹果入选2018年全国快递服务现代农业金牌项目, http://eb.nkb.com.cn/nykjb/20190321/html/content_20190321005003.htm"
_CFSN = (
    "中国食品安全网 reporting the Shanxi Provincial Bureau of Statistics, 2021年山西省园林水果总产量919.9万吨, "
    "https://www2.cfsn.cn/front/web/site.newshow?hyid=11&newsid=76740"
)
_PD = (
    "People's Daily Online, Express delivery services boost rural industries, "
    "http://en.people.cn/n3/2021/0210/c90000-9818069.html"
)
_CENSUS = "National Bureau of Statistics, 第七次全国人口普查公报（第七号）城乡人口和流动人口情况, 2021-05-11"
_YANHU_POP = (
    "盐湖区 2023年人口变动情况抽样调查主要数据公报 (copy read at https://908303.com/rhb/11537.html; "
    "the district government's original not reached)"
)

#: The inputs of `district_day`, in the order the derivation uses them.
FIGURES: tuple[Figure, ...] = (
    Figure(
        "yuncheng_apple_parcels_2021",
        24_004_900,
        "parcels/year",
        "express parcels of 运城苹果 sent in a year (2400.49万件)",
        "sourced",
        _YCRB,
        "figure 2021; published 2022-01-12",
    ),
    Figure(
        "apple_parcel_kg",
        5.0,
        "kg/parcel",
        "weight of one apple parcel, as the report counts (一件5公斤)",
        "sourced",
        _NKB,
        "figure 2018; published 2019-03-21",
    ),
    Figure(
        "yuncheng_fruit_t_2021",
        6_871_000,
        "t/year",
        "garden fruit output of Yuncheng city (687.1万吨)",
        "sourced",
        _CFSN,
        "figure 2021; published 2022",
    ),
    Figure(
        "yanhu_fruit_t_2021",
        780_000,
        "t/year",
        "garden fruit output of 盐湖 (78.0万吨, third in the province)",
        "sourced",
        _CFSN,
        "figure 2021; published 2022",
    ),
    Figure(
        "shanxi_apples_t_2021",
        4_302_000,
        "t/year",
        "apple output of Shanxi (430.2万吨)",
        "sourced",
        _CFSN,
        "figure 2021; published 2022",
    ),
    Figure(
        "shanxi_pears_t_2021",
        1_132_000,
        "t/year",
        "pear output of Shanxi (113.2万吨)",
        "sourced",
        _CFSN,
        "figure 2021; published 2022",
    ),
    Figure(
        "shanxi_dates_t_2021",
        772_000,
        "t/year",
        "red date (jujube) output of Shanxi (77.2万吨)",
        "sourced",
        _CFSN,
        "figure 2021; published 2022",
    ),
    Figure(
        "harvest_share",
        0.7,
        "share",
        "share of a year's apple parcels sent in the September–November harvest",
        "assumed",
        "no published monthly split found; most parcels leave in the harvest",
        "assumed 2026-12",
    ),
    Figure("harvest_days", 91, "days", "days of September–November", "sourced", "the calendar", "—"),
    Figure(
        "network_share",
        0.1,
        "share",
        "share of the district's produce parcels that leave villages through the public three-tier network",
        "assumed",
        "no published split found; packing houses and e-commerce firms collect most parcels themselves",
        "assumed 2026-12",
    ),
    Figure(
        "rural_parcels_2020",
        30e9,
        "parcels/year",
        "express parcels to and from China's rural areas (over 30 billion)",
        "sourced",
        _PD,
        "figure 2020; published 2021-02-10",
    ),
    Figure(
        "inbound_share",
        0.5,
        "share",
        "share of rural parcels that go to (not from) the villages",
        "assumed",
        "the figure counts both ways; no split published with it",
        "assumed 2026-12",
    ),
    Figure(
        "china_rural_population_2020",
        509_787_562,
        "people",
        "people living in rural areas of China (census)",
        "sourced",
        _CENSUS,
        "figure 2020-11-01; published 2021-05-11",
    ),
    Figure(
        "yanhu_rural_population_2023",
        232_810,
        "people",
        "people living in rural areas of 盐湖区 at the end of 2023",
        "sourced",
        _YANHU_POP,
        "figure 2023-12-31; published 2024",
    ),
    Figure(
        "parcel_kg",
        1.0,
        "kg/parcel",
        "weight of a parcel to a village",
        "assumed",
        "no published mean found",
        "assumed 2026-12",
    ),
    Figure(
        "dairy_meat_kg_per_resident_day",
        0.02,
        "kg/(person·day)",
        "chilled dairy and meat a rural resident buys through the village shop",
        "assumed",
        "no published figure for the district",
        "assumed 2026-12",
    ),
    Figure(
        "frozen_kg_per_resident_day",
        0.01,
        "kg/(person·day)",
        "frozen food a rural resident buys through the village shop",
        "assumed",
        "no published figure for the district",
        "assumed 2026-12",
    ),
    Figure(
        "vegetables_kg_per_resident_day",
        0.015,
        "kg/(person·day)",
        "vegetables a rural resident buys through the village shop",
        "assumed",
        "no published figure for the district",
        "assumed 2026-12",
    ),
)


def district_day(figures: tuple[Figure, ...] = FIGURES) -> dict[str, float]:
    """One harvest-season day of Yanhu's flows through the three tiers, derived from ``figures``.

    Parameters
    ----------
    figures
        The inputs (default `FIGURES`); every key of `FIGURES` must be there.

    Returns
    -------
    dict of str to float
        ``yanhu_fruit_share``, ``apple_parcels_day`` (district, all channels), then kg a day through
        the network: ``apples``, ``pears``, ``dates`` (up) and ``parcels``, ``dairy_meat``,
        ``frozen_food``, ``vegetables`` (down), and ``rural_parcels_per_resident_day``.
    """
    f: Mapping[str, float] = {x.key: float(x.value) for x in figures}
    share = f["yanhu_fruit_t_2021"] / f["yuncheng_fruit_t_2021"]
    apple_parcels = f["yuncheng_apple_parcels_2021"] * share * f["harvest_share"] / f["harvest_days"]
    apples = apple_parcels * f["apple_parcel_kg"] * f["network_share"]
    per_resident = f["rural_parcels_2020"] * f["inbound_share"] / f["china_rural_population_2020"] / 365.0
    people = f["yanhu_rural_population_2023"]
    return {
        "yanhu_fruit_share": share,
        "apple_parcels_day": apple_parcels,
        "apples": apples,
        "pears": apples * f["shanxi_pears_t_2021"] / f["shanxi_apples_t_2021"],
        "dates": apples * f["shanxi_dates_t_2021"] / f["shanxi_apples_t_2021"],
        "rural_parcels_per_resident_day": per_resident,
        "parcels": people * per_resident * f["parcel_kg"],
        "dairy_meat": people * f["dairy_meat_kg_per_resident_day"],
        "frozen_food": people * f["frozen_kg_per_resident_day"],
        "vegetables": people * f["vegetables_kg_per_resident_day"],
    }


def basis(figures: tuple[Figure, ...] = FIGURES) -> dict[str, Any]:
    """Every input figure and every derived daily total, for ``meta`` and the docs.

    Parameters
    ----------
    figures
        The inputs (default `FIGURES`).

    Returns
    -------
    dict
        ``figures`` (one record per `Figure`) and ``district_day`` (the derived totals, kg a day).
    """
    return {
        "figures": [asdict(x) for x in figures],
        "district_day": {k: round(v, 6) for k, v in district_day(figures).items()},
    }
