"""Pydantic's validation errors (English, per error type) in the API's Chinese.

ninja validates query parameters and bodies with pydantic before a view runs; its messages
("Input should be less than or equal to 12") must not reach a clerk's client. Each error
type gets a Chinese sentence with the bound from the error's context; a type not listed
falls back to a general sentence rather than the English text."""

from __future__ import annotations

from typing import Any

# Field names that appear in query parameters and bodies across the API.
LABELS = {
    "year": "年度",
    "month": "月份",
    "day": "日期",
    "date": "日期",
    "offset": "偏移量",
    "limit": "每页条数",
    "page": "页码",
    "days": "天数",
    "division": "区划",
    "version": "版本号",
    "title": "标题",
    "name": "名称",
    "deadline": "时限",
    "amount_wan": "金额（万元）",
    "total_investment_wan": "总投资（万元）",
}

_TEXT = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多（最多{max_digits}位）",
    "decimal_max_places": "小数位数过多（最多{decimal_places}位）",
    "less_than_equal": "不能大于{le}",
    "greater_than_equal": "不能小于{ge}",
    "less_than": "应小于{lt}",
    "greater_than": "应大于{gt}",
    "string_too_long": "不能超过{max_length}个字",
    "string_too_short": "至少{min_length}个字",
    "string_type": "应为文字",
    "too_long": "最多{max_length}项",
    "too_short": "至少{min_length}项",
    "list_type": "应为列表",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM）",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "应为对象",
}


def chinese(err: dict[str, Any], field: str) -> str:
    """One pydantic error as "月份不能大于12"."""
    label = LABELS.get(field.rsplit(".", 1)[-1], field if field != "__all__" else "请求数据")
    template = _TEXT.get(str(err.get("type", "")), "格式不正确")
    ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
    try:
        text = template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        text = "格式不正确"
    return f"{label}{text}"
