#!/usr/bin/env python3
"""The example provider on the Python SDK: the C++ example's OEM counter
service, one range higher so both can run at once.

Owns the fast SMC64 OEM calls 0xC3000200-0xC300020F:
  +0 ECHO   x1..x3 = arg1..arg3
  +1 ADD    adds arg1 to a shared counter; x1 = the new total
  +2 SLEEP  sleeps arg1 ms (at most 60 s), then x1 = arg1
  +3 WHO    x1 = calling vCPU, x2 = this process's pid, x3 = the counter
  +4 UPPER  guest memory: operand [0] x1 -> 64 bytes in, [1] x2 -> 64 bytes
            out; writes the input with ASCII a-z upper-cased to the out
            buffer, x1 = the number of bytes changed
Others in the range: NOT_SUPPORTED. x0 = SUCCESS otherwise.
It claims three ranges so the VMM reads no more than each call needs:
+0..+3 and +5..+15 read x1..x3; +4 reads x1 and x2, with UPPER's two
operands. A config naming it lists the same three ranges with the same
operands (the daemon grants a claim only then).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time

from hypercall_provider import (
    DEFAULT_RUNTIME_DIR,
    INVALID_PARAMETER,
    NOT_SUPPORTED,
    SUCCESS,
    Call,
    CallContext,
    Direction,
    MemoryOperand,
    RangeClaim,
    Result,
    Runner,
    SyncProvider,
    routing_id,
    run_until_signalled,
)

BASE = 0xC3000200
ECHO, ADD, SLEEP, WHO, UPPER = BASE, BASE + 1, BASE + 2, BASE + 3, BASE + 4
READS_X1_TO_X3 = 0xE
READS_X1_X2 = 0x6
UPPER_BYTES = 64
UPPER_MEMORY = (MemoryOperand(address_register=1, length=UPPER_BYTES, direction=Direction.IN),
                MemoryOperand(address_register=2, length=UPPER_BYTES, direction=Direction.OUT))


class CounterProvider(SyncProvider):
    """ECHO, ADD, SLEEP, WHO and UPPER (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._counter = 0

    @property
    def name(self) -> str:
        return self._name

    def claims(self) -> list[RangeClaim]:
        return [RangeClaim(BASE, WHO, READS_X1_TO_X3),
                RangeClaim(UPPER, UPPER, READS_X1_X2, memory=UPPER_MEMORY),
                RangeClaim(UPPER + 1, BASE + 0xF, READS_X1_TO_X3)]

    def answer(self, context: CallContext, call: Call) -> Result:
        result = Result.code(SUCCESS)
        function = routing_id(call.function_id)
        if function == ECHO:
            for i in (1, 2, 3):
                result.set(i, call.x[i])
        elif function == ADD:
            with self._lock:
                self._counter = (self._counter + call.x[1]) % (1 << 64)
                result.set(1, self._counter)
        elif function == SLEEP:
            time.sleep(min(call.x[1], 60000) / 1000)
            result.set(1, call.x[1])
        elif function == WHO:
            with self._lock:
                counter = self._counter
            result.set(1, context.vcpu).set(2, os.getpid()).set(3, counter)
        elif function == UPPER:
            source, target = call.buffer(0), call.buffer(1)
            if source is None or target is None:
                return Result.code(INVALID_PARAMETER)
            upper = source.data.upper()  # bytes.upper() changes ASCII a-z only.
            changed = sum(a != b for a, b in zip(source.data, upper))
            result.set(1, changed).write(1, upper)
        else:
            return Result.code(NOT_SUPPORTED)
        return result


def main() -> None:
    """Parses the flags and serves until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime-dir", default=DEFAULT_RUNTIME_DIR,
                        help="directory holding provider.sock (default %(default)s)")
    parser.add_argument("--name", default="py-example",
                        help="provider name in the daemon's config (default %(default)s)")
    parser.add_argument("--workers", type=int, default=4, help="handler threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(levelname)s: %(message)s")
    provider = CounterProvider(args.name)
    run_until_signalled(Runner(provider, runtime_dir=args.runtime_dir, workers=args.workers))


if __name__ == "__main__":
    main()
