from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "taizhang.evidence"
    label = "evidence"
    verbose_name = "问责佐证材料包"
