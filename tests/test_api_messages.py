"""The API answers pydantic's validation errors in Chinese, never in English."""

from __future__ import annotations

from taizhang.api.messages import chinese


def test_it_words_bounds_and_types_in_chinese():
    assert chinese({"type": "less_than_equal", "ctx": {"le": 12}}, "month") == "月份不能大于12"
    assert chinese({"type": "greater_than_equal", "ctx": {"ge": 1}}, "page") == "页码不能小于1"
    assert chinese({"type": "int_parsing"}, "year") == "年度应为整数"
    assert chinese({"type": "missing"}, "title") == "标题必须填写"
    assert chinese({"type": "something_new"}, "foo") == "foo格式不正确"


def test_it_never_sends_pydantic_english_on_a_bad_query(world):
    from django.test import Client

    c = Client()
    c.force_login(world.users["sup_a"])
    r = c.get("/api/v1/problems", {"limit": "abc"})
    assert r.status_code in (400, 422)
    body = r.content.decode()
    assert "Input should" not in body and "每页条数" in r.json()["detail"] + str(r.json())
