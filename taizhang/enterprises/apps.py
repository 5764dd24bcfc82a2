from __future__ import annotations

from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "taizhang.enterprises"
    label = "enterprises"
