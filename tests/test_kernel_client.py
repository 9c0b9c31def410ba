"""The kernel client's readiness (``helpers.engines.kernel_client.until_ready``), on stand-in channels: the
messages below are made up for the test, in the shape of Jupyter's."""

from __future__ import annotations

import asyncio
from pathlib import Path
from queue import Queue

import pytest

from helpers.engines import kernel_client
from helpers.engines.kernel_client import until_ready


def message(parent: str, msg_type: str, **content) -> dict:
    return {"parent_header": {"msg_id": parent}, "msg_type": msg_type, "content": content}


class Channel:
    def __init__(self):
        self.queue: Queue = Queue()

    def get_msg(self, timeout=None):
        return self.queue.get(timeout=0.001)  # what has not come is not waited for: Empty at once


class StandIn:
    """A client whose kernel answers ``kernel_info`` by ``answer(request number, request id)``."""

    def __init__(self, answer, alive=True):
        self.shell_channel, self.iopub_channel = Channel(), Channel()
        self.asked: list[str] = []
        self.answer, self.alive, self.protocol = answer, alive, None

    def kernel_info(self) -> str:
        self.asked.append(f"info-{len(self.asked)}")
        self.answer(len(self.asked), self.asked[-1])
        return self.asked[-1]

    async def _async_is_alive(self) -> bool:
        return self.alive

    def _handle_kernel_info_reply(self, msg):
        self.protocol = msg["content"]["protocol_version"]


def ready(client, timeout=None):
    asyncio.run(until_ready(client, timeout))


def test_ready_when_the_reply_and_the_requests_idle_status_have_come_with_other_messages_passed_over():
    def answer(n, asked):
        client.shell_channel.queue.put(message("an-earlier-request", "execute_reply"))
        client.shell_channel.queue.put(message(asked, "kernel_info_reply", protocol_version="5.4"))
        client.iopub_channel.queue.put(message("an-earlier-request", "status", execution_state="idle"))
        client.iopub_channel.queue.put(message(asked, "status", execution_state="busy"))
        client.iopub_channel.queue.put(message(asked, "status", execution_state="idle"))

    client = StandIn(answer)
    ready(client)
    assert client.asked == ["info-0"] and client.protocol == "5.4"
    assert client.iopub_channel.queue.empty()  # no message of the request is left to come after it


def test_a_kernel_whose_iopub_messages_are_missed_is_asked_again():
    """IOPub not yet subscribed: the first request's status never comes, so IOPub is not known to be connected."""
    def answer(n, asked):
        client.shell_channel.queue.put(message(asked, "kernel_info_reply", protocol_version="5.4"))
        if n >= 3:
            client.iopub_channel.queue.put(message(asked, "status", execution_state="idle"))

    client = StandIn(answer)
    ready(client)
    assert client.asked == ["info-0", "info-1", "info-2"]


def test_a_kernel_that_died_is_said_so_in_jupyters_words(monkeypatch):
    """``Kernel._start`` starts a kernel again on this message (a port taken by another process)."""
    monkeypatch.setattr(kernel_client, "SHELL_WAIT", 0.001)
    client = StandIn(lambda n, asked: None, alive=False)
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        ready(client)


def test_a_kernel_that_never_answers_fails_after_the_timeout(monkeypatch):
    monkeypatch.setattr(kernel_client, "SHELL_WAIT", 0.001)
    client = StandIn(lambda n, asked: None)
    with pytest.raises(RuntimeError, match="didn't respond in 0.05 seconds"):
        ready(client, timeout=0.05)
    assert len(client.asked) > 1


def test_the_engines_notebook_client_starts_kernels_whose_clients_wait_so():
    from helpers.engines.kernel import Kernel

    kernel = Kernel(Path("."), timeout=10)
    manager = kernel._notebook_client().create_kernel_manager()
    assert isinstance(manager.client(), kernel_client.Client)
