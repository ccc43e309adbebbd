"""hypercall_provider: write hypercalld providers in Python.

Subclass Provider (name, claims, handle) and run it with
``run_until_signalled(Runner(provider, runtime_dir=...))``. Ranges may
declare guest memory operands (MemoryOperand); calls bring their bytes
(Call.memory) and results write them back (Result.write). Needs the stubs
the build generates from proto/ (hypercall.v1.*_pb2) on the import path.
"""

from hypercall_provider.provider import (
    INVALID_PARAMETER,
    NOT_REQUIRED,
    NOT_SUPPORTED,
    SUCCESS,
    Call,
    CallContext,
    Condition,
    Direction,
    MemoryBuffer,
    MemoryOperand,
    MemoryWrite,
    Provider,
    RangeClaim,
    Result,
    routing_id,
)
from hypercall_provider.runner import DEFAULT_RUNTIME_DIR, Runner, State, run_until_signalled

__all__ = [
    "INVALID_PARAMETER", "NOT_REQUIRED", "NOT_SUPPORTED", "SUCCESS", "Call", "CallContext",
    "Condition", "Direction", "MemoryBuffer", "MemoryOperand", "MemoryWrite", "Provider",
    "RangeClaim", "Result", "routing_id", "DEFAULT_RUNTIME_DIR", "Runner", "State",
    "run_until_signalled",
]
