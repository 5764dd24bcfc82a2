from __future__ import annotations

from django.apps import AppConfig


class SimilarConfig(AppConfig):
    name = "taizhang.similar"
    label = "similar"
    verbose_name = "相似问题与问题雷达"
