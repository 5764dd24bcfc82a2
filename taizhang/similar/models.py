"""The problem radar's one table: which problems a supervision task was made from
(docs/similar.md). Merging needs no table of its own (Matter.merged_into and
Matter.other_enterprises, matters migration 0005)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import Active, ScopeRule, register
from taizhang.matters.models import Matter


class RadarLink(models.Model):
    """One problem of a radar cluster, linked to the task made on its root cause."""

    task = models.ForeignKey(
        Matter, verbose_name=_("督办任务"), on_delete=models.CASCADE, related_name="radar_problems"
    )
    problem = models.ForeignKey(
        Matter, verbose_name=_("企业问题"), on_delete=models.CASCADE, related_name="radar_tasks"
    )
    at = models.DateTimeField(_("关联时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("雷达关联")
        verbose_name_plural = _("雷达关联")
        ordering = ["task_id", "problem_id"]
        constraints = [
            # A problem goes into one root-cause task: a second would split its follow-up.
            models.UniqueConstraint("problem", name="radar_link_one_task"),
        ]

    def __str__(self) -> str:
        return f"{self.task} ← {self.problem}"


# Whoever sees the problem sees that it was turned into a task.
register(
    RadarLink,
    ScopeRule(
        division="problem__division__path",
        units=("problem__lead_unit", "problem__co_units"),
        people=("problem__leader", Active("problem__enterprise__liaisons")),
        enterprise="problem__enterprise",
    ),
)
