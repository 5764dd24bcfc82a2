"""Reading a response's body whether it was sent at once or streamed (exports stream)."""

from __future__ import annotations

from typing import Any


def streamed(response: Any) -> bytes:
    """The whole body: ``content`` for an ordinary response, the joined chunks for a streamed one."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
