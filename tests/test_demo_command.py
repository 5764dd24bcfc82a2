"""`taizhang demo` as a newcomer runs it: progress while loading, a Chinese answer when the
port is taken, no English development-server warning."""

from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from taizhang.demo.load import demo_loaded
from taizhang.demo.management.commands.demo import parse_addr, port_problem


def test_it_refuses_a_busy_port_in_chinese_before_loading_anything(db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError) as e:
            call_command("demo", addr=f"127.0.0.1:{port}", stdout=StringIO())
    message = str(e.value)
    assert "已被占用" in message and "--addr" in message and "in use" not in message
    assert not demo_loaded()


def test_it_explains_bad_addresses():
    with pytest.raises(CommandError, match="监听地址无效"):
        parse_addr("localhost:http")
    with pytest.raises(CommandError, match="1 至 65535"):
        parse_addr("127.0.0.1:70000")
    assert parse_addr(":8001") == ("127.0.0.1", 8001)
    assert port_problem("127.0.0.1", 0) is None


def test_it_shows_progress_for_each_stage(db):
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    text = out.getvalue()
    lines = [ln for ln in text.splitlines() if ln.startswith("[")]
    assert len(lines) >= 8  # one per stage, then the total
    assert "区划、单位和演示账号" in text and "印发督查通报" in text
    assert "演示数据加载完成" in lines[-1] and "sc_duchashi" in text
