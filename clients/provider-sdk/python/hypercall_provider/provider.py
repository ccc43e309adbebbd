"""The provider interface of the Python SDK.

The same names and contract as the one C++ provider interface
(proto/provider_api/include/hypercall/provider/provider.h), which the
daemon's built-in providers and the C++ SDK share: a ``Provider`` has a
name, claims function-ID ranges with the argument registers it reads and the
guest memory operands its calls pass, and answers each call in them through
its ``Completion``, exactly once, at once or later from any thread; a
``SyncProvider`` just returns the result from ``answer``. The runner calls
``handle`` concurrently from its worker threads (it may block its worker;
the deadline still counts), and ``vm_detached`` when a VM planned with the
provider detaches.

Function IDs: ``call.function_id`` is the ID as the guest issued it (w0, the
SVE hint bit 16 included); ``call.x[0]`` is not the ID. Tell functions apart
by ``routing_id(call.function_id)``, which clears the hint. An ID in a
claimed range that the provider does not implement is answered
``Result.code(NOT_SUPPORTED)``, never left unanswered. For SMC32/HVC32 calls
the arguments already have w-register semantics (upper halves zero), and the
daemon applies them to the result.

Guest memory: a range may declare up to four memory operands
(``MemoryOperand``), buffers in guest RAM that its calls pass by
guest-physical address in an argument register. The VMM copies them,
bounds-checked; a provider never maps guest memory. A call brings one
``MemoryBuffer`` per operand that applies to it (``Call.memory``): the
guest's bytes for IN and INOUT operands, none for OUT. The result writes back
OUT and INOUT buffers (``Result.write``): at most once each, at most their
length, from their address on. A result breaking that is not applied: the
guest gets NOT_SUPPORTED and its memory is untouched. The daemon grants a
range only with the operands its config lists for it, in the same order.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import time
from collections.abc import Sequence
from typing import Optional

# x0..x17: SMCCC v1.2 passes arguments in x1-x17 and results in x0-x17.
NUM_REGISTERS = 18
SVE_HINT_BIT = 1 << 16
MASK64 = (1 << 64) - 1

# SMCCC return codes (sign-extended into x0).
SUCCESS = 0
NOT_SUPPORTED = -1
NOT_REQUIRED = -2
INVALID_PARAMETER = -3

# Argument registers are x1..x17.
MAX_ARG_REGISTER = 17
# At most this many memory operands per range, each of 1..16384 bytes, all
# together at most 32 KiB (so a call with its buffers fits a 64 KiB message).
MAX_MEMORY_OPERANDS = 4
MAX_MEMORY_OPERAND_BYTES = 16384
MAX_MEMORY_BYTES_PER_RANGE = 32768


def routing_id(function_id: int) -> int:
    """The ID to tell functions apart by: the SVE hint bit cleared."""
    return function_id & ~SVE_HINT_BIT


class Direction(enum.IntEnum):
    """Which way a memory operand's bytes go, seen from the provider (the
    values are hypercall.v1.MemoryOperand.Direction's)."""

    # The provider reads the buffer.
    IN = 1
    # The provider writes it.
    OUT = 2
    # Both.
    INOUT = 3


@dataclasses.dataclass(frozen=True)
class Condition:
    """When a memory operand applies: to calls where
    ``(x[register] & mask) == value``; x0 is the function ID (SVE hint
    cleared). E.g. only when the "fast" bit 16 of x1 is clear:
    ``Condition(register=1, mask=0x10000, value=0)``."""

    register: int
    mask: int
    value: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.register <= MAX_ARG_REGISTER:
            raise ValueError(f"condition register {self.register} is not a register "
                             f"(0..{MAX_ARG_REGISTER}; 0 is the function ID)")
        if self.value & ~self.mask:
            raise ValueError(f"condition value 0x{self.value:x} has bits outside mask "
                             f"0x{self.mask:x}, so it never holds")


@dataclasses.dataclass(frozen=True)
class MemoryOperand:
    """A buffer in guest RAM that calls in a range pass by address: the
    guest-physical address is in ``address_register`` (1..17), the buffer is
    ``length`` bytes (1..16384). For SMC32/HVC32 calls an operand addressed
    by x8..x17 never applies. A buffer not wholly in guest RAM is answered by
    the VMM with x0 = ``bad_address_x0`` (default INVALID_PARAMETER) and never
    reaches the provider."""

    address_register: int
    length: int
    direction: Direction
    # None: every call.
    condition: Optional[Condition] = None
    # None: INVALID_PARAMETER.
    bad_address_x0: Optional[int] = None

    def __post_init__(self) -> None:
        if not 1 <= self.address_register <= MAX_ARG_REGISTER:
            raise ValueError(f"address_register {self.address_register} is not an argument "
                             f"register (1..{MAX_ARG_REGISTER})")
        if not 1 <= self.length <= MAX_MEMORY_OPERAND_BYTES:
            raise ValueError(f"length {self.length} is outside 1..{MAX_MEMORY_OPERAND_BYTES}")
        object.__setattr__(self, "direction", Direction(self.direction))

    def registers_read(self) -> int:
        """The registers the VMM reads to use this operand (bit i = x(i)):
        the address register, and the condition's when it is not x0."""
        mask = 1 << self.address_register
        if self.condition is not None and self.condition.mask and self.condition.register:
            mask |= 1 << self.condition.register
        return mask

    def describe(self) -> str:
        """For logs, as the daemon and the C++ SDK write it:
        ``x2 -> 4096 bytes in, when (x1 & 0x10000) == 0x0``."""
        text = (f"x{self.address_register} -> {self.length} bytes "
                f"{self.direction.name.lower()}")
        if self.condition is not None and self.condition.mask:
            text += (f", when (x{self.condition.register} & 0x{self.condition.mask:x}) == "
                     f"0x{self.condition.value:x}")
        return text


def describe_memory(operands: Sequence[MemoryOperand]) -> str:
    """For logs: ``x1 -> 64 bytes in; x2 -> 64 bytes out``, or ``none``."""
    return "; ".join(operand.describe() for operand in operands) or "none"


@dataclasses.dataclass(frozen=True)
class RangeClaim:
    """A range a provider asks to own: IDs first..last inclusive."""

    first: int
    last: int
    # Argument registers the provider reads (bit i = x(i), 1 <= i <= 17); they
    # include every memory operand's registers_read().
    args_read_mask: int
    # The guest memory buffers its calls pass by address, at most four of at
    # most 32 KiB together (any sequence; kept as a tuple).
    memory: Sequence[MemoryOperand] = ()
    # The results of its calls are secret: hypercalld never shows their
    # registers past x0 to an observer. The daemon's config must mark the
    # range ``secret_results: true`` too, or the claim is refused.
    secret_results: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "memory", tuple(self.memory))
        if len(self.memory) > MAX_MEMORY_OPERANDS:
            raise ValueError(f"{len(self.memory)} memory operands; a range may have at most "
                             f"{MAX_MEMORY_OPERANDS}")
        total = sum(operand.length for operand in self.memory)
        if total > MAX_MEMORY_BYTES_PER_RANGE:
            raise ValueError(f"memory operands take {total} bytes together; a range may pass "
                             f"at most {MAX_MEMORY_BYTES_PER_RANGE}")
        for index, operand in enumerate(self.memory):
            missing = operand.registers_read() & ~self.args_read_mask
            if missing:
                raise ValueError(f"memory operand {index} ({operand.describe()}) needs registers "
                                 f"(mask 0x{missing:x}) that the range does not read "
                                 f"(args_read_mask 0x{self.args_read_mask:x})")


@dataclasses.dataclass(frozen=True)
class MemoryBuffer:
    """The bytes of one memory operand of one call."""

    # Index of the operand in its range's memory list.
    operand: int
    # Where the buffer is in guest RAM (from the operand's address register).
    guest_phys_addr: int
    # The operand's declared length and direction.
    length: int
    direction: Direction
    # The guest's bytes for IN and INOUT operands (``length`` of them); empty
    # for OUT.
    data: bytes


@dataclasses.dataclass(frozen=True)
class MemoryWrite:
    """Bytes a result writes back into guest RAM: to the call's buffer for
    ``operand`` (an OUT or INOUT one), from its address on, at most its
    length."""

    operand: int
    data: bytes


@dataclasses.dataclass(frozen=True)
class CallContext:
    """Who is calling, and by when the answer must be there."""

    # The attach name of the calling VM.
    vm: str
    # Index of the calling vCPU within its VM.
    vcpu: int
    # time.monotonic() after which the daemon has answered the guest
    # NOT_SUPPORTED and a result is dropped.
    deadline: float
    # Guest-physical address of this vCPU's PV stolen-time record in its VM's
    # plan, or 0 when the plan has none (for a PV time provider).
    stolen_time_record: int = 0

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once past it)."""
        return self.deadline - time.monotonic()


@dataclasses.dataclass
class Call:
    """One SMCCC call as the guest issued it."""

    # w0 as issued (SVE hint included).
    function_id: int
    # x[1..17] are the arguments; x[0] is unused. Unread registers are 0.
    x: list[int]
    # Bit i set: x[i] was read from the guest.
    args_read_mask: int
    # One buffer per memory operand of the range that applies to this call,
    # in the range's order.
    memory: list[MemoryBuffer] = dataclasses.field(default_factory=list)

    def buffer(self, operand: int) -> Optional[MemoryBuffer]:
        """The buffer of memory operand ``operand`` (its index in the
        range's list), or None when the call does not pass it."""
        return next((b for b in self.memory if b.operand == operand), None)


@dataclasses.dataclass
class Result:
    """What the guest sees: x[i] for each bit i set in written_mask, and the
    bytes written back to its memory."""

    x: list[int] = dataclasses.field(default_factory=lambda: [0] * NUM_REGISTERS)
    # x0 is always written.
    written_mask: int = 1
    # At most one per OUT or INOUT buffer of the call.
    memory: list[MemoryWrite] = dataclasses.field(default_factory=list)

    def set(self, i: int, value: int) -> Result:
        """Writes x(i) (wrapped to 64 bits) and marks it written."""
        self.x[i] = value & MASK64
        self.written_mask |= 1 << i
        return self

    def write(self, operand: int, data: bytes) -> Result:
        """Writes ``data`` to the guest buffer of memory operand ``operand``."""
        self.memory.append(MemoryWrite(operand, bytes(data)))
        return self

    @staticmethod
    def code(code: int) -> Result:
        """A result that only sets x0 to an SMCCC return code."""
        return Result().set(0, code)


class Completion(abc.ABC):
    """Receives the answer to one call (the runner gives one per call)."""

    @abc.abstractmethod
    def complete(self, result: Result) -> None:
        """Answers the call with ``result``. Call exactly once per
        ``handle``, from any thread; a second answer raises RuntimeError."""


class Provider(abc.ABC):
    """Base class of a provider; see the module docstring for the contract.

    ``handle`` is called concurrently and must be thread-safe. It answers
    through ``done.complete(result)``, inline or later from any thread. An
    exception in ``handle`` before it answered is logged and answered
    NOT_SUPPORTED.
    """

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The name the daemon's config knows this provider by."""

    @abc.abstractmethod
    def claims(self) -> list[RangeClaim]:
        """The ranges this provider claims when it connects."""

    @abc.abstractmethod
    def handle(self, context: CallContext, call: Call, done: Completion) -> None:
        """Answers ``call`` through ``done`` (see the module docstring)."""

    def vm_detached(self, vm: str) -> None:
        """The VM named ``vm`` detached (its VMM's session ended), so what the
        provider keeps for it may go: a VM attaching later under that name is
        a new VM.

        Called once per session of a VM planned with this provider, after its
        vCPU streams closed (a call of it still in flight must still be
        answered), on the runner's reading thread, concurrently with
        ``handle`` on the workers: it must be thread-safe, and quick, as no
        call is read meanwhile (a call sent after the notice is handed out
        only once it returned). Best effort: a notice sent while no process served the
        provider, or dropped because the daemon's send queue was full, never
        comes, so use it to free state, never for correctness. An exception
        is logged. Default: nothing kept per VM.
        """


class SyncProvider(Provider):
    """For providers that answer every call on the spot: implement
    ``answer``."""

    @abc.abstractmethod
    def answer(self, context: CallContext, call: Call) -> Result:
        """The result of ``call``; called concurrently, must be thread-safe."""

    def handle(self, context: CallContext, call: Call, done: Completion) -> None:
        done.complete(self.answer(context, call))
