from __future__ import annotations

from taizhang.lib.names import closest, did_you_mean

CHAINS = ["高端装备制造", "新材料", "生物医药", "现代物流", "城市建设"]


def test_it_suggests_the_managed_name_a_short_name_stands_for():
    assert closest("高端装备", CHAINS) == "高端装备制造"
    assert did_you_mean("高端装备", CHAINS) == "（您是否要填「高端装备制造」？）"


def test_it_suggests_a_near_spelling_and_nothing_for_nonsense():
    assert closest("生物医疗", CHAINS) == "生物医药"
    assert closest("农业", CHAINS) is None
    assert did_you_mean("农业", CHAINS) == ""
    assert closest("", CHAINS) is None


def test_it_prefers_the_closest_length_when_several_contain_it():
    assert closest("石林", ["石林镇人民政府", "石林镇"]) == "石林镇"
