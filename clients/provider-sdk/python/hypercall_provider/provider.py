"""The provider interface of the Python SDK.

The same shape as the daemon's built-in providers (daemon/providers/provider.h)
and the C++ SDK's: a provider has a name, claims function-ID ranges with the
argument registers it reads, and answers each call in them. Here ``handle``
returns the result; the runner calls it concurrently from worker threads.
"""

from __future__ import annotations

import abc
import dataclasses
import time

# x0..x17: SMCCC v1.2 passes arguments in x1-x17 and results in x0-x17.
NUM_REGISTERS = 18
SVE_HINT_BIT = 1 << 16
MASK64 = (1 << 64) - 1

# SMCCC return codes (sign-extended into x0).
SUCCESS = 0
NOT_SUPPORTED = -1
NOT_REQUIRED = -2
INVALID_PARAMETER = -3


def routing_id(function_id: int) -> int:
    """The ID to tell functions apart by: the SVE hint bit cleared."""
    return function_id & ~SVE_HINT_BIT


@dataclasses.dataclass(frozen=True)
class RangeClaim:
    """A range a provider asks to own: IDs first..last inclusive."""

    first: int
    last: int
    # Argument registers the provider reads (bit i = x(i), 1 <= i <= 17).
    args_read_mask: int


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


@dataclasses.dataclass
class Result:
    """What the guest sees: x[i] for each bit i set in written_mask."""

    x: list[int] = dataclasses.field(default_factory=lambda: [0] * NUM_REGISTERS)
    # x0 is always written.
    written_mask: int = 1

    def set(self, i: int, value: int) -> Result:
        """Writes x(i) (wrapped to 64 bits) and marks it written."""
        self.x[i] = value & MASK64
        self.written_mask |= 1 << i
        return self

    @staticmethod
    def code(code: int) -> Result:
        """A result that only sets x0 to an SMCCC return code."""
        return Result().set(0, code)


class Provider(abc.ABC):
    """Base class of a provider; see the module docstring for the contract.

    ``handle`` is called concurrently and must be thread-safe. An ID in a
    claimed range that the provider does not implement is answered
    ``Result.code(NOT_SUPPORTED)``. An exception in ``handle`` is logged and
    answered NOT_SUPPORTED.
    """

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The name the daemon's config knows this provider by."""

    @abc.abstractmethod
    def claims(self) -> list[RangeClaim]:
        """The ranges this provider claims when it connects."""

    @abc.abstractmethod
    def handle(self, context: CallContext, call: Call) -> Result:
        """The result of ``call``."""
