from __future__ import annotations

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "taizhang.notify"
    label = "notify"
    verbose_name = "通知渠道"

    def ready(self) -> None:
        # matters.notify is below this app: it announces each notice through a hook,
        # and this app turns the announcement into queued deliveries.
        from taizhang.matters import notify as matters_notify
        from taizhang.notify.queue import enqueue

        matters_notify.on_notice(enqueue)
