"""The petition rules that are pure data: the deadline table of the 《信访工作条例》, the
checks of an ID number and a mobile number, and the masks shown to those who may not see a
petitioner's personal data. No database here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# The 《信访工作条例》(2022) counts its limits in 日, i.e. calendar days, not working days:
# 第二十四条 (受理 within 15 日 of receipt), 第三十五条 (办结 within 60 日 of 受理,
# extendable with approval by at most 30 日). Working days only enter through the lights
# (the yellow warning and the days late shown next to a matter, like every other matter).


@dataclass(frozen=True)
class Stage:
    label: str
    days: int  # calendar days
    counted_from: str


DEADLINES: dict[str, Stage] = {
    "accept": Stage("受理", 15, "登记（收到信访事项）之日"),
    "handle": Stage("办理", 60, "受理之日"),
    "extension": Stage("延期", 30, "原办理时限，经批准，最多一次延长"),
}


def due(stage: str, start: dt.date) -> dt.date:
    """The deadline of `stage` counted from `start` in calendar days (the table above)."""
    return start + dt.timedelta(days=DEADLINES[stage].days)


# ---------------------------------------------------------------- personal data checks

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_number_error(value: str) -> str | None:
    """Why an 18-digit resident ID number (GB 11643) is wrong, or None when it is right."""
    v = value.strip().upper()
    if not _ID.match(v):
        return "身份证号应为18位（最后一位可为X）"
    try:
        born = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "身份证号中的出生日期不存在"
    if born.year < 1900 or born > dt.date.today():
        return "身份证号中的出生日期不合理"
    total = sum(int(c) * w for c, w in zip(v[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != v[17]:
        return "身份证号校验位不正确，请核对"
    return None


def mobile_error(value: str) -> str | None:
    if not _MOBILE.match(value.strip()):
        return "手机号码应为11位数字，以1开头"
    return None


# ---------------------------------------------------------------- masks


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; empty (匿名) stays empty."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234."""
    p = (phone or "").strip()
    return p[:3] + "****" + p[-4:] if len(p) >= 8 else ("*" * len(p))


def mask_id(number: str) -> str:
    """410402199001011234 → 4104**********1234."""
    n = (number or "").strip()
    return n[:4] + "*" * (len(n) - 8) + n[-4:] if len(n) > 8 else ("*" * len(n))
