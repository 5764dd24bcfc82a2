"""创文 测评体系 (板块/内容/标准/分值/责任单位/适用点位类型) from the sheet the 创文办 keeps;
natural key: 年度 + 板块 + 内容 + 标准. Rows are checked by the tree's own clean function
and written by do_load_tree; a standard already in the year's tree is left unchanged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.civility import tree
from taizhang.civility.models import Standard
from taizhang.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    Col,
    Importer,
    RowError,
    RowResult,
    service_errors,
)

LABELS = {
    "section": "测评项目板块",
    "content": "测评内容",
    "text": "测评标准",
    "score": "分值",
    "unit": "责任单位",
    "point_types": "适用点位类型",
    "workdays": "整改时限",
}


class CivilityStandardImporter(Importer):
    kind = "civility_standards"
    label = "创文测评体系"
    key_label = "测评标准"
    key_columns = ("text",)
    columns = [
        Col("year", "年度", (), example="2022", width=8),
        Col("section", "测评项目板块", ("板块", "项目板块"), True, example="市容环境", width=18),
        Col("content", "测评内容", ("内容",), True, example="主次干道", width=18),
        Col(
            "text",
            "测评标准",
            ("标准", "测评标准内容"),
            True,
            example="路面平整，无坑洼、无积水",
            width=40,
        ),
        Col("score", "分值", ("分数",), example="1.5", width=8),
        Col("unit", "责任单位", ("牵头单位",), example="示范区住房和城乡建设局", width=22),
        Col(
            "point_types",
            "适用点位类型",
            ("点位类型", "适用点位"),
            True,
            example="街道/主干道、农贸市场",
            width=26,
        ),
        Col("workdays", "整改时限", ("整改时限（工作日）", "限时整改"), example="3", width=10),
    ]

    @classmethod
    def managed_lists(cls, scope) -> dict[str, list[str]]:
        return {"unit": cls.unit_names(scope)}

    def prepare(self, rows: list[RowResult]) -> None:
        self.home = self.scope.division
        self.today = timezone.localdate()
        self.seen: set[tuple] = set()

    def validate(self, r: RowResult) -> None:
        text = self.text(r, "text", required=True, max_len=300)
        r.label = text
        if not self.scope.can_manage or self.home is None:
            raise RowError("测评标准", text, "只有区督查室（创文办）账号可以导入测评体系")
        year = self.integer(r, "year", 2000, 2100) or self.today.year
        section = self.text(r, "section", required=True, max_len=60)
        content = self.text(r, "content", required=True, max_len=100)
        data = {k: self.raw(r, k) for k in ("score", "unit", "workdays")}
        data.update(text=text, point_types=self.text(r, "point_types"))
        try:
            fields = tree.clean_standard_fields(self.scope, self.home, data)
        except ValidationError as e:
            service_errors(r, e, LABELS)
            return
        if r.errors:
            return
        clean = tree.StandardRow(section, content, **fields)
        key = (year, clean.section, clean.content, clean.text)
        r.key = "/".join(map(str, key))
        if key in self.seen:
            raise RowError("测评标准", text, "与上面的行重复")
        self.seen.add(key)
        r.payload = {"year": year, "row": clean}
        exists = Standard.objects.filter(
            content__section__division=self.home,
            content__section__year=year,
            content__section__name=clean.section,
            content__name=clean.content,
            text=clean.text,
        ).exists()
        r.action = UNCHANGED if exists else CREATE

    def commit_one(self, r: RowResult) -> None:
        tree.do_load_tree(self.scope, self.home, r.payload["year"], [r.payload["row"]])
