"""The engine's client of a Jupyter kernel: ready as soon as the kernel answers.

Jupyter's ``wait_for_ready`` ends by reading the kernel's IOPub messages until none has come for 0.2 s, and a
client that did not start the kernel first waits for its heartbeat in steps of 0.2 s: every build that starts a
kernel waited 0.2 s after it answered, and taking the preview's waiting kernel 0.2 to 0.4 s. ``until_ready``
asks for the kernel's info and waits for the reply and for that request's last IOPub message (its ``idle``
status), which also shows that IOPub is connected: a subscription not yet made misses it, and the kernel is
asked again. Messages of an earlier request that come later are of no cell: nbclient reads only those of the
cell it executes.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async
from traitlets import DottedObjectName, Type

SHELL_WAIT = 1.0  # seconds without the reply before the kernel is asked again (Jupyter's own)
IOPUB_WAIT = 0.2  # seconds without the request's IOPub messages before it is asked again (Jupyter's own)


async def until_ready(client, timeout: float | None = None) -> None:
    """Return once the kernel has answered a ``kernel_info`` request on the shell channel and its IOPub messages
    for it have come; ``RuntimeError`` when the kernel died or did not answer within ``timeout`` seconds (the
    errors and messages of Jupyter's ``wait_for_ready``). ``client``: a blocking or an asynchronous one."""
    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        asked = client.kernel_info()
        reply = await _message(client.shell_channel, asked, min(SHELL_WAIT, max(deadline - time.monotonic(), 0.01)))
        if reply is not None and await _message(client.iopub_channel, asked, IOPUB_WAIT, status="idle"):
            client._handle_kernel_info_reply(reply)  # the protocol version, as Jupyter's own client keeps it
            return
        if not await client._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


async def _message(channel, parent: str, wait: float, status: str | None = None) -> dict | None:
    """The first message of ``channel`` answering the request ``parent`` (with that execution state, if
    ``status``); None when none has come after ``wait`` seconds without a message."""
    while True:
        try:
            msg = await ensure_async(channel.get_msg(timeout=wait))
        except Empty:
            return None
        if msg["parent_header"].get("msg_id") != parent:
            continue
        if status is None or (msg["msg_type"] == "status" and msg["content"].get("execution_state") == status):
            return msg


class Client(AsyncKernelClient):
    """nbclient's kernel client, ready by ``until_ready``."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        await until_ready(self, timeout)


class Manager(AsyncKernelManager):
    """nbclient's kernel manager, whose clients are ``Client``."""

    client_class = DottedObjectName("helpers.engines.kernel_client.Client")
    client_factory = Type(Client, klass=AsyncKernelClient)
