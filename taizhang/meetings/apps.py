from __future__ import annotations

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "taizhang.meetings"
    label = "meetings"
    verbose_name = "推进会和领导批示"

    def ready(self) -> None:
        # The bulletin (assessment, below this app) reaches the 推进会 section through its hook.
        from taizhang.assessment.bulletin import register_section
        from taizhang.meetings.bulletin import meetings_section

        register_section(meetings_section)
