"""hypercall_provider: write hypercalld providers in Python.

Subclass SyncProvider (name, claims, answer returning the Result) or
Provider (name, claims, handle answering through its Completion, now or
later) and run it with ``run_until_signalled(Runner(provider,
runtime_dir=...))``. Functions are told apart by
``routing_id(call.function_id)``. Ranges may
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
    Completion,
    Condition,
    Direction,
    MemoryBuffer,
    MemoryOperand,
    MemoryWrite,
    Provider,
    RangeClaim,
    Result,
    SyncProvider,
    routing_id,
)
from hypercall_provider.runner import DEFAULT_RUNTIME_DIR, Runner, State, run_until_signalled

__all__ = [
    "INVALID_PARAMETER", "NOT_REQUIRED", "NOT_SUPPORTED", "SUCCESS", "Call", "CallContext",
    "Completion", "Condition", "Direction", "MemoryBuffer", "MemoryOperand", "MemoryWrite",
    "Provider", "RangeClaim", "Result", "SyncProvider", "routing_id", "DEFAULT_RUNTIME_DIR",
    "Runner", "State", "run_until_signalled",
]
