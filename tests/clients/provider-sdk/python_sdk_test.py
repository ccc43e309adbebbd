"""The Python provider SDK without a daemon: memory operand declarations and
their checks, the conversions to and from the generated stubs, the example's
UPPER, and a Runner against a stand-in for the daemon's provider socket
(claims with memory operands, a call with guest memory and its result,
VM-detach notices reaching the provider).

Run by ctest with the generated stubs, the SDK and the example on PYTHONPATH.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import unittest
from typing import Optional

import grpc

import counter_provider
from hypercall.v1 import common_pb2, provider_pb2, provider_pb2_grpc
from hypercall_provider import (
    INVALID_PARAMETER,
    NOT_SUPPORTED,
    Call,
    CallContext,
    Completion,
    Condition,
    Direction,
    MemoryBuffer,
    MemoryOperand,
    MemoryWrite,
    RangeClaim,
    Result,
    Runner,
    State,
)
from hypercall_provider.convert import call_from_proto, claim_to_proto, result_to_proto
from hypercall_provider.provider import describe_memory

UPPER = 0xC3000204
# 64 bytes, 47 of them lower-case ASCII letters (21 + 26).
UPPER_INPUT = b"Guest memory, copied by the VMM: abcdefghijklmnopqrstuvwxyz 0123"
UPPER_OUTPUT = b"GUEST MEMORY, COPIED BY THE VMM: ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123"
UPPER_CHANGED = 47
CONTEXT = CallContext(vm="vm-a", vcpu=0, deadline=time.monotonic() + 60)


def wire_upper_call(call_id: int = 7) -> common_pb2.Call:
    """UPPER as the daemon forwards it: operand 0 in with 64 bytes, operand 1 out."""
    call = common_pb2.Call(call_id=call_id, function_id=UPPER, conduit=common_pb2.CONDUIT_HVC,
                           args=[0x40001000, 0x40002000], args_read_mask=0x6, vm="vm-a")
    call.memory.add(operand=0, guest_phys_addr=0x40001000, length=64,
                    direction=common_pb2.MemoryOperand.IN, data=UPPER_INPUT)
    call.memory.add(operand=1, guest_phys_addr=0x40002000, length=64,
                    direction=common_pb2.MemoryOperand.OUT)
    return call


class MemoryOperandTest(unittest.TestCase):

    def test_describes_itself_as_the_daemon_does(self) -> None:
        fast = MemoryOperand(2, 4096, Direction.IN, condition=Condition(1, 0x10000, 0))
        self.assertEqual(fast.describe(), "x2 -> 4096 bytes in, when (x1 & 0x10000) == 0x0")
        self.assertEqual(describe_memory(counter_provider.UPPER_MEMORY),
                         "x1 -> 64 bytes in; x2 -> 64 bytes out")
        self.assertEqual(describe_memory(()), "none")

    def test_reads_its_address_register_and_a_condition_register(self) -> None:
        self.assertEqual(MemoryOperand(3, 8, Direction.OUT).registers_read(), 1 << 3)
        self.assertEqual(
            MemoryOperand(3, 8, Direction.OUT, condition=Condition(1, 1)).registers_read(),
            (1 << 3) | (1 << 1))
        # A condition on x0, the function ID, reads no register.
        self.assertEqual(
            MemoryOperand(3, 8, Direction.OUT, condition=Condition(0, 1, 1)).registers_read(),
            1 << 3)

    def test_refuses_what_the_daemon_would(self) -> None:
        with self.assertRaisesRegex(ValueError, "address_register 0"):
            MemoryOperand(0, 8, Direction.IN)
        with self.assertRaisesRegex(ValueError, "address_register 18"):
            MemoryOperand(18, 8, Direction.IN)
        with self.assertRaisesRegex(ValueError, "length 0"):
            MemoryOperand(1, 0, Direction.IN)
        with self.assertRaisesRegex(ValueError, "length 16385"):
            MemoryOperand(1, 16385, Direction.IN)
        with self.assertRaises(ValueError):
            MemoryOperand(1, 8, 0)
        with self.assertRaisesRegex(ValueError, "never holds"):
            Condition(1, mask=0x1, value=0x2)
        with self.assertRaisesRegex(ValueError, "condition register 18"):
            Condition(18, mask=0x1)
        with self.assertRaisesRegex(ValueError, r"needs registers \(mask 0x4\)"):
            RangeClaim(UPPER, UPPER, 0x2, memory=counter_provider.UPPER_MEMORY)
        with self.assertRaisesRegex(ValueError, "5 memory operands"):
            RangeClaim(UPPER, UPPER, 0x2, memory=[MemoryOperand(1, 8, Direction.IN)] * 5)
        with self.assertRaisesRegex(ValueError, "32769 bytes together"):
            RangeClaim(UPPER, UPPER, 0x2, memory=[MemoryOperand(1, 16384, Direction.IN),
                                                  MemoryOperand(1, 16384, Direction.OUT),
                                                  MemoryOperand(1, 1, Direction.OUT)])
        RangeClaim(UPPER, UPPER, 0x2, memory=[MemoryOperand(1, 16384, Direction.IN),
                                              MemoryOperand(1, 16384, Direction.OUT)])

    def test_a_claim_keeps_its_operands_as_a_tuple(self) -> None:
        claim = RangeClaim(UPPER, UPPER, 0x6, memory=list(counter_provider.UPPER_MEMORY))
        self.assertEqual(claim.memory, counter_provider.UPPER_MEMORY)
        self.assertEqual(MemoryOperand(1, 8, 2).direction, Direction.OUT)


class ConvertTest(unittest.TestCase):

    def test_a_claim_carries_its_operands(self) -> None:
        operands = (MemoryOperand(2, 4096, Direction.INOUT,
                                  condition=Condition(1, 0x10000, 0x10000),
                                  bad_address_x0=INVALID_PARAMETER - 2),
                    MemoryOperand(3, 16, Direction.OUT))
        wire = claim_to_proto(RangeClaim(0xC3000300, 0xC3000301, 0xE, memory=operands))
        expected = provider_pb2.Claim(first_function_id=0xC3000300, count=2, args_read_mask=0xE)
        expected.memory.add(address_register=2, length=4096,
                            direction=common_pb2.MemoryOperand.INOUT, when_register=1,
                            when_mask=0x10000, when_value=0x10000,
                            bad_address_x0=(1 << 64) - 5)
        expected.memory.add(address_register=3, length=16, direction=common_pb2.MemoryOperand.OUT)
        self.assertEqual(wire, expected)
        self.assertFalse(wire.memory[1].HasField("bad_address_x0"))
        self.assertFalse(wire.secret_results)

    def test_a_claim_carries_its_secret_results(self) -> None:
        wire = claim_to_proto(RangeClaim(0xC3000300, 0xC3000301, 0x2, secret_results=True))
        self.assertTrue(wire.secret_results)

    def test_a_call_brings_its_buffers(self) -> None:
        call = call_from_proto(wire_upper_call())
        self.assertEqual(call.function_id, UPPER)
        self.assertEqual(call.x[:4], [0, 0x40001000, 0x40002000, 0])
        self.assertEqual(len(call.x), 18)
        self.assertEqual(call.memory, [
            MemoryBuffer(0, 0x40001000, 64, Direction.IN, UPPER_INPUT),
            MemoryBuffer(1, 0x40002000, 64, Direction.OUT, b""),
        ])
        self.assertEqual(call.buffer(1), call.memory[1])
        self.assertIsNone(call.buffer(2))

    def test_a_malformed_call_is_refused_saying_why(self) -> None:
        no_direction = wire_upper_call()
        no_direction.memory[1].direction = common_pb2.MemoryOperand.DIRECTION_UNSPECIFIED
        with self.assertRaisesRegex(ValueError, "operand 1 has no direction"):
            call_from_proto(no_direction)
        too_big = wire_upper_call()
        too_big.memory[0].data = bytes(16385)
        with self.assertRaisesRegex(ValueError, "16385 bytes"):
            call_from_proto(too_big)
        too_many_args = wire_upper_call()
        too_many_args.args.extend([0] * 16)
        with self.assertRaisesRegex(ValueError, "18 argument registers"):
            call_from_proto(too_many_args)

    def test_a_result_carries_its_writes(self) -> None:
        result = Result.code(INVALID_PARAMETER).set(2, 5).write(1, bytearray(b"abc"))
        self.assertEqual(result.memory, [MemoryWrite(1, b"abc")])
        wire = result_to_proto(result, 9)
        expected = common_pb2.Result(call_id=9, regs=[(1 << 64) - 3, 0, 5], written_mask=0x5)
        expected.memory.add(operand=1, data=b"abc")
        self.assertEqual(wire, expected)


class CounterProviderTest(unittest.TestCase):

    def test_claims_three_ranges_with_uppers_operands_in_the_middle(self) -> None:
        self.assertEqual(counter_provider.CounterProvider("py-example").claims(), [
            RangeClaim(0xC3000200, 0xC3000203, 0xE),
            RangeClaim(UPPER, UPPER, 0x6, memory=(MemoryOperand(1, 64, Direction.IN),
                                                  MemoryOperand(2, 64, Direction.OUT))),
            RangeClaim(0xC3000205, 0xC300020F, 0xE),
        ])

    def test_upper_writes_the_input_upper_cased_to_the_out_buffer(self) -> None:
        provider = counter_provider.CounterProvider("py-example")
        call = call_from_proto(wire_upper_call())
        result = provider.answer(CONTEXT, call)
        self.assertEqual(result.x[0], 0)
        self.assertEqual(result.x[1], UPPER_CHANGED)
        self.assertEqual(result.written_mask, 0x3)
        self.assertEqual(result.memory, [MemoryWrite(1, UPPER_OUTPUT)])
        call.memory = []
        self.assertEqual(provider.answer(CONTEXT, call).x[0], INVALID_PARAMETER & ((1 << 64) - 1))


class _FakeDaemon(provider_pb2_grpc.ProviderServiceServicer):
    """Greets, grants the claims (but refuses the one at index ``refuse``),
    sends a VmDetached for each of ``detached`` after the first grant (so
    they arrive while claims are pending) and one for ``detached_late``
    after the call, forwards ``call`` once three are granted, and keeps the
    results."""

    def __init__(self, call: common_pb2.Call, refuse: int = -1,
                 detached: tuple[str, ...] = (), detached_late: str = "") -> None:
        self.claims: list[provider_pb2.Claim] = []
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self._call = call
        self._refuse = refuse
        self._detached = detached
        self._detached_late = detached_late

    def Serve(self, request_iterator, context):  # pylint: disable=invalid-name
        hello = next(request_iterator)
        yield provider_pb2.DaemonMessage(hello=common_pb2.HelloReply(
            protocol_version=hello.hello.hello.protocol_version))
        granted = 0
        for message in request_iterator:
            if message.HasField("result"):
                self.results.put(message.result)
                continue
            grant = len(self.claims) != self._refuse
            self.claims.append(message.claim)
            yield provider_pb2.DaemonMessage(claim_reply=provider_pb2.ClaimReply(
                claim=message.claim, granted=grant,
                reason="" if grant else "the config lists other operands"))
            granted += grant
            if grant and granted == 1:
                for vm in self._detached:
                    yield provider_pb2.DaemonMessage(vm_detached=provider_pb2.VmDetached(vm=vm))
            if grant and granted == 3:
                yield provider_pb2.DaemonMessage(call=provider_pb2.ForwardedCall(
                    call=self._call, deadline_nanos=10 * 10**9))
                if self._detached_late:
                    yield provider_pb2.DaemonMessage(
                        vm_detached=provider_pb2.VmDetached(vm=self._detached_late))


class _DetachRecorder(counter_provider.CounterProvider):
    """The example, recording the VMs it is told detached."""

    def __init__(self) -> None:
        super().__init__("py-example")
        self.detached: queue.SimpleQueue = queue.SimpleQueue()

    def vm_detached(self, vm: str) -> None:
        self.detached.put(vm)


class _LaterAnswer(counter_provider.CounterProvider):
    """The example, answering from a thread of its own after handle()
    returned, then trying to answer again (which must be refused)."""

    def __init__(self) -> None:
        super().__init__("py-example")
        self.second_answer: queue.SimpleQueue = queue.SimpleQueue()

    def handle(self, context: CallContext, call: Call, done: Completion) -> None:
        def answer_later() -> None:
            time.sleep(0.05)
            done.complete(self.answer(context, call))
            try:
                done.complete(Result.code(INVALID_PARAMETER))
                self.second_answer.put("accepted")
            except RuntimeError as error:
                self.second_answer.put(str(error))

        threading.Thread(target=answer_later).start()


class _RaisingProvider(counter_provider.CounterProvider):
    """The example, raising in handle() before answering."""

    def __init__(self) -> None:
        super().__init__("py-example")

    def handle(self, context: CallContext, call: Call, done: Completion) -> None:
        raise ValueError("no")


class _Log(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class RunnerTest(unittest.TestCase):
    """The example served by a Runner against a _FakeDaemon."""

    def start(self, daemon: _FakeDaemon,
              provider: Optional[counter_provider.CounterProvider] = None) -> None:
        directory = tempfile.mkdtemp(prefix="hypercall-py-sdk-")
        self.addCleanup(shutil.rmtree, directory)
        server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=2))
        provider_pb2_grpc.add_ProviderServiceServicer_to_server(daemon, server)
        server.add_insecure_port("unix:" + os.path.join(directory, "provider.sock"))
        server.start()
        self.addCleanup(server.stop, None)
        self.log = _Log()
        logger = logging.getLogger(f"python_sdk_test.{self.id()}")
        logger.propagate = False
        logger.addHandler(self.log)
        # One connection per test: a refused claim is not retried meanwhile.
        self.runner = Runner(provider or counter_provider.CounterProvider("py-example"),
                             runtime_dir=directory, initial_backoff=10, max_backoff=10,
                             logger=logger)
        thread = threading.Thread(target=self.runner.run)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(self.runner.stop)

    def await_state(self, state: State) -> None:
        deadline = time.monotonic() + 10
        while self.runner.state != state and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.runner.state, state)

    def test_claims_with_memory_operands_and_answers_a_call_with_guest_memory(self) -> None:
        daemon = _FakeDaemon(wire_upper_call())
        self.start(daemon)
        result = daemon.results.get(timeout=10)
        self.assertEqual([claim_to_proto(c) for c in
                          counter_provider.CounterProvider("py-example").claims()], daemon.claims)
        self.assertEqual(len(daemon.claims[1].memory), 2)
        expected = common_pb2.Result(call_id=7, regs=[0, UPPER_CHANGED], written_mask=0x3)
        expected.memory.add(operand=1, data=UPPER_OUTPUT)
        self.assertEqual(result, expected)

    def test_vm_detached_notices_reach_the_provider_once_each_also_while_claiming(
            self) -> None:
        daemon = _FakeDaemon(wire_upper_call(), detached=("vm-a", "vm-b"), detached_late="vm-c")
        provider = _DetachRecorder()
        self.start(daemon, provider)
        self.assertEqual(daemon.results.get(timeout=10).call_id, 7)
        self.assertEqual([provider.detached.get(timeout=10) for _ in range(3)],
                         ["vm-a", "vm-b", "vm-c"])
        time.sleep(0.2)
        self.assertTrue(provider.detached.empty())

    def test_a_provider_answers_later_from_its_own_thread_and_only_once(self) -> None:
        daemon = _FakeDaemon(wire_upper_call())
        provider = _LaterAnswer()
        self.start(daemon, provider)
        result = daemon.results.get(timeout=10)
        expected = common_pb2.Result(call_id=7, regs=[0, UPPER_CHANGED], written_mask=0x3)
        expected.memory.add(operand=1, data=UPPER_OUTPUT)
        self.assertEqual(result, expected)
        self.assertEqual(provider.second_answer.get(timeout=10), "call 7 was answered twice")
        time.sleep(0.2)
        self.assertTrue(daemon.results.empty())

    def test_a_handle_that_raises_before_answering_is_answered_not_supported(self) -> None:
        daemon = _FakeDaemon(wire_upper_call())
        self.start(daemon, _RaisingProvider())
        self.assertEqual(daemon.results.get(timeout=10),
                         common_pb2.Result(call_id=7, regs=[NOT_SUPPORTED & ((1 << 64) - 1)],
                                           written_mask=0x1))
        self.assertIn("handle() raised for call 7; answering NOT_SUPPORTED", self.log.lines)

    def test_a_refused_claim_is_logged_with_its_operands_and_the_rest_are_not_asked_for(
            self) -> None:
        daemon = _FakeDaemon(wire_upper_call(), refuse=1)
        self.start(daemon)
        self.await_state(State.BACKING_OFF)
        self.assertEqual(self.log.lines, [
            "hypercalld refused the claim 0xc3000204-0xc3000204 (reads 0x6, memory: x1 -> 64 "
            'bytes in; x2 -> 64 bytes out) of provider "py-example": the config lists other '
            "operands (retrying)"])
        self.assertEqual(len(daemon.claims), 2)


if __name__ == "__main__":
    unittest.main()
