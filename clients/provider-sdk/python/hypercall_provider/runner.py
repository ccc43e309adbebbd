"""Runs a Provider against hypercalld's provider socket.

Connects, says hello, claims the provider's ranges and serves calls (many in
flight, on a thread pool) and VM-detach notices until stopped. When the
daemon goes away, restarts or refuses the provider, the runner backs off and
connects again, claiming its ranges anew; it never spins.
"""

from __future__ import annotations

import concurrent.futures
import enum
import logging
import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from typing import Optional

import grpc

from hypercall.v1 import common_pb2, provider_pb2, provider_pb2_grpc
from hypercall_provider.convert import call_from_proto, claim_to_proto, result_to_proto
from hypercall_provider.provider import (
    NOT_SUPPORTED,
    Call,
    CallContext,
    Completion,
    Provider,
    Result,
    describe_memory,
)

DEFAULT_RUNTIME_DIR = "/run/hypercalld"
PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024

# Status codes by which the daemon says no to who we are: retrying soon
# cannot help.
_REFUSALS = {
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.INVALID_ARGUMENT,
}


class State(enum.Enum):
    """What the runner is doing."""

    CONNECTING = "connecting"
    SERVING = "serving"
    BACKING_OFF = "backing-off"
    STOPPED = "stopped"


class _Outcome(enum.Enum):
    LOST = 1
    HELLO_REFUSED = 2
    CLAIM_REFUSED = 3


class _Connection:
    """One Serve stream: messages out through a queue, messages in by
    iteration. Results queued after the stream ended are dropped with it.
    Calls and notices that arrive while a claim is pending wait in ``early``."""

    def __init__(self, target: str) -> None:
        self._channel = grpc.insecure_channel(
            target, options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)])
        self._outgoing: queue.SimpleQueue = queue.SimpleQueue()
        stub = provider_pb2_grpc.ProviderServiceStub(self._channel)
        self._responses = stub.Serve(self._requests())
        self.early: list[provider_pb2.DaemonMessage] = []

    def _requests(self) -> Iterator[provider_pb2.ProviderMessage]:
        while True:
            message = self._outgoing.get()
            if message is None:
                return
            yield message

    def send(self, message: provider_pb2.ProviderMessage) -> None:
        self._outgoing.put(message)

    def receive(self) -> provider_pb2.DaemonMessage:
        """The next message; raises grpc.RpcError or StopIteration at the end."""
        return next(self._responses)

    def close(self) -> None:
        """Half-closes: the daemon answers calls in flight NOT_SUPPORTED and ends."""
        self._outgoing.put(None)

    def cancel(self) -> None:
        self._responses.cancel()

    def dispose(self) -> None:
        self._responses.cancel()
        self._channel.close()


class Runner:
    """Serves one provider until stop(), reconnecting as needed."""

    def __init__(self, provider: Provider, runtime_dir: str = DEFAULT_RUNTIME_DIR,
                 workers: int = 4, initial_backoff: float = 0.1, max_backoff: float = 5.0,
                 drain_timeout: float = 1.0, logger: Optional[logging.Logger] = None) -> None:
        self._provider = provider
        self._target = "unix:" + os.path.join(runtime_dir, "provider.sock")
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
        self._initial_backoff = initial_backoff
        self._max_backoff = max(max_backoff, initial_backoff)
        self._drain_timeout = drain_timeout
        self._log = logger or logging.getLogger(f"hypercall_provider.{provider.name}")
        self._lock = threading.Condition()
        self._state = State.CONNECTING
        self._stopping = False
        self._connection: Optional[_Connection] = None
        self._in_flight = 0
        self._last_problem = ""

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def run(self) -> None:
        """Serves until stop(). Call from one thread."""
        backoff = self._initial_backoff
        while True:
            outcome = self._serve_once()
            with self._lock:
                if self._stopping:
                    break
                if self._state == State.SERVING:
                    backoff = self._initial_backoff
                if outcome == _Outcome.HELLO_REFUSED:
                    delay = self._max_backoff
                else:
                    delay, backoff = backoff, min(backoff * 2, self._max_backoff)
                self._state = State.BACKING_OFF
                self._lock.wait_for(lambda: self._stopping, timeout=delay)
                if self._stopping:
                    break
        with self._lock:
            self._state = State.STOPPED
        self._pool.shutdown(wait=True)

    def stop(self) -> None:
        """Makes run() return after the calls in flight are answered (bounded
        by drain_timeout). Thread-safe."""
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            self._lock.notify_all()
            connection = self._connection
            if connection is None:
                return
            if self._state != State.SERVING:
                connection.cancel()
                return
            self._lock.wait_for(lambda: self._in_flight == 0, timeout=self._drain_timeout)
        connection.close()

    def _serve_once(self) -> _Outcome:
        connection = _Connection(self._target)
        with self._lock:
            if self._stopping:
                connection.dispose()
                return _Outcome.LOST
            self._connection = connection
            self._state = State.CONNECTING
        try:
            return self._serve_on(connection)
        finally:
            with self._lock:
                self._connection = None
            connection.dispose()

    def _serve_on(self, connection: _Connection) -> _Outcome:
        name = self._provider.name
        hello = provider_pb2.ProviderMessage()
        hello.hello.hello.CopyFrom(common_pb2.Hello(
            protocol_version=PROTOCOL_VERSION, software=f"{name}/python-sdk"))
        hello.hello.name = name
        try:
            connection.send(hello)
            connection.receive()
        except (grpc.RpcError, StopIteration) as error:
            code, details = _describe(error)
            if code in _REFUSALS:
                self._problem(logging.ERROR, f'hypercalld refused provider "{name}": {details} '
                              f"(retrying every {self._max_backoff:g} s)")
                return _Outcome.HELLO_REFUSED
            self._problem(logging.WARNING,
                          f"cannot reach hypercalld at {self._target}: {details} (retrying)")
            return _Outcome.LOST
        claims = self._provider.claims()
        try:
            for claim in claims:
                connection.send(provider_pb2.ProviderMessage(claim=claim_to_proto(claim)))
                reply = self._claim_reply(connection)
                if not reply.granted:
                    self._problem(logging.ERROR, f"hypercalld refused the claim 0x{claim.first:08x}"
                                  f"-0x{claim.last:08x} (reads 0x{claim.args_read_mask:x}, "
                                  f"memory: {describe_memory(claim.memory)}) of provider "
                                  f'"{name}": {reply.reason} (retrying)')
                    # All or nothing: the provider serves every range it claims or none, so
                    # the rest are not asked for (and one problem is logged, once).
                    connection.cancel()
                    return _Outcome.CLAIM_REFUSED
            with self._lock:
                self._state = State.SERVING
                self._last_problem = ""
            self._log.info('serving %d range(s) as provider "%s" on %s', len(claims), name,
                           self._target)
            for message in connection.early:
                self._dispatch(connection, message)
            while True:
                self._dispatch(connection, connection.receive())
        except (grpc.RpcError, StopIteration) as error:
            if not self._is_stopping():
                self._log.warning("the connection to hypercalld ended (%s); reconnecting",
                                  _describe(error)[1])
            return _Outcome.LOST

    @staticmethod
    def _claim_reply(connection: _Connection) -> provider_pb2.ClaimReply:
        while True:
            message = connection.receive()
            if message.HasField("claim_reply"):
                return message.claim_reply
            connection.early.append(message)

    def _dispatch(self, connection: _Connection, message: provider_pb2.DaemonMessage) -> None:
        """Hands a call to the pool, or tells the provider of a VM-detach
        notice right here, on the reading thread: before any later call is
        handed out, so a new VM under the same name never has its state
        dropped. Anything else is ignored."""
        if message.HasField("vm_detached"):
            self._vm_detached(message.vm_detached.vm)
        elif message.HasField("call"):
            self._call(connection, message.call)

    def _vm_detached(self, vm: str) -> None:
        try:
            self._provider.vm_detached(vm)
        except Exception:  # pylint: disable=broad-except
            self._log.exception("vm_detached() raised for VM %s", vm)

    def _call(self, connection: _Connection, forwarded: provider_pb2.ForwardedCall) -> None:
        wire = forwarded.call
        deadline_nanos = forwarded.deadline_nanos or 3600 * 10**9
        context = CallContext(vm=wire.vm, vcpu=wire.vcpu,
                              deadline=time.monotonic() + deadline_nanos / 1e9,
                              stolen_time_record=wire.stolen_time_record)
        try:
            call = call_from_proto(wire)
        except ValueError as error:
            self._log.warning("malformed call %d from hypercalld: %s", wire.call_id, error)
            connection.send(provider_pb2.ProviderMessage(
                result=result_to_proto(Result.code(NOT_SUPPORTED), wire.call_id)))
            return
        with self._lock:
            self._in_flight += 1
        done = _CallCompletion(self, connection, wire.call_id, context)
        self._pool.submit(self._answer, done, context, call)

    def _answer(self, done: _CallCompletion, context: CallContext, call: Call) -> None:
        """Runs on a worker: hands the call to the provider, unless its
        deadline passed while it waited for the worker."""
        if context.remaining() < 0:
            done.finish(None, only_if_unanswered=False)
            return
        try:
            self._provider.handle(context, call, done)
        except Exception:  # pylint: disable=broad-except
            if done.finish(Result.code(NOT_SUPPORTED), only_if_unanswered=True):
                self._log.exception("handle() raised for call %d; answering NOT_SUPPORTED",
                                    done.call_id)
            else:
                self._log.exception("handle() raised for call %d after answering it",
                                    done.call_id)

    def _send_answer(self, connection: _Connection, call_id: int, context: CallContext,
                     result: Optional[Result]) -> None:
        """Sends the one answer of a call (None: the deadline passed before
        the provider was asked), unless it is too late by now."""
        try:
            if result is None or context.remaining() < 0:
                self._late(call_id)
                return
            connection.send(provider_pb2.ProviderMessage(result=result_to_proto(result, call_id)))
        finally:
            with self._lock:
                self._in_flight -= 1
                self._lock.notify_all()

    def _late(self, call_id: int) -> None:
        self._log.warning("call %d was not answered within its deadline; the guest got "
                          "NOT_SUPPORTED", call_id)

    def _is_stopping(self) -> bool:
        with self._lock:
            return self._stopping

    def _problem(self, level: int, message: str) -> None:
        """Logs a connection problem once until it changes or the provider serves."""
        with self._lock:
            if message == self._last_problem:
                return
            self._last_problem = message
        self._log.log(level, "%s", message)


class _CallCompletion(Completion):
    """The Completion of one call: its first answer is sent (if in time), a
    second one is refused."""

    def __init__(self, runner: Runner, connection: _Connection, call_id: int,
                 context: CallContext) -> None:
        self._runner = runner
        self._connection = connection
        self.call_id = call_id
        self._context = context
        self._lock = threading.Lock()
        self._answered = False

    def complete(self, result: Result) -> None:
        self.finish(result, only_if_unanswered=False)

    def finish(self, result: Optional[Result], only_if_unanswered: bool) -> bool:
        """Answers the call with ``result``; returns whether this was its
        answer. A second answer returns False when ``only_if_unanswered``,
        else raises RuntimeError."""
        with self._lock:
            if self._answered:
                if only_if_unanswered:
                    return False
                raise RuntimeError(f"call {self.call_id} was answered twice")
            self._answered = True
        # pylint: disable=protected-access
        self._runner._send_answer(self._connection, self.call_id, self._context, result)
        return True


def _describe(error: BaseException) -> tuple[Optional[grpc.StatusCode], str]:
    if isinstance(error, grpc.RpcError):
        return error.code(), f"{error.code().name}: {error.details()}"
    return None, "closed by the daemon"


def run_until_signalled(runner: Runner) -> None:
    """Runs ``runner`` until SIGTERM or SIGINT, then stops it cleanly.

    Call from the main thread (Python delivers signals there).
    """
    def on_signal(signum: int, frame: object) -> None:  # pylint: disable=unused-argument
        threading.Thread(target=runner.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.run()
