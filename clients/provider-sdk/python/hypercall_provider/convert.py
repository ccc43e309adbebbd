"""The one place where the SDK's values (provider.py) and the generated
protobuf messages (hypercall.v1.*_pb2) are converted."""

from __future__ import annotations

from hypercall.v1 import common_pb2, provider_pb2
from hypercall_provider.provider import (
    MASK64,
    MAX_MEMORY_OPERAND_BYTES,
    MAX_MEMORY_OPERANDS,
    NUM_REGISTERS,
    Call,
    Direction,
    MemoryBuffer,
    MemoryOperand,
    RangeClaim,
    Result,
)


def operand_to_proto(operand: MemoryOperand) -> common_pb2.MemoryOperand:
    """The wire form of one memory operand."""
    wire = common_pb2.MemoryOperand(address_register=operand.address_register,
                                    length=operand.length, direction=int(operand.direction))
    if operand.condition is not None:
        wire.when_register = operand.condition.register
        wire.when_mask = operand.condition.mask & MASK64
        wire.when_value = operand.condition.value & MASK64
    if operand.bad_address_x0 is not None:
        wire.bad_address_x0 = operand.bad_address_x0 & MASK64
    return wire


def claim_to_proto(claim: RangeClaim) -> provider_pb2.Claim:
    """The Claim message asking for ``claim``."""
    return provider_pb2.Claim(first_function_id=claim.first, count=claim.last - claim.first + 1,
                              args_read_mask=claim.args_read_mask,
                              memory=[operand_to_proto(op) for op in claim.memory],
                              secret_results=claim.secret_results)


def call_from_proto(wire: common_pb2.Call) -> Call:
    """The call in a forwarded Call message. Raises ValueError, saying what
    is wrong, for more than 17 arguments or malformed memory buffers (more
    than four, an unspecified direction, more than 16384 bytes)."""
    if len(wire.args) > NUM_REGISTERS - 1:
        raise ValueError(f"call has {len(wire.args)} argument registers; at most 17 (x1..x17)")
    if len(wire.memory) > MAX_MEMORY_OPERANDS:
        raise ValueError(f"call has {len(wire.memory)} memory buffers; at most "
                         f"{MAX_MEMORY_OPERANDS}")
    memory = []
    for buffer in wire.memory:
        if buffer.direction not in tuple(Direction):
            raise ValueError(f"call memory buffer for operand {buffer.operand} has no direction "
                             "(IN, OUT or INOUT)")
        if len(buffer.data) > MAX_MEMORY_OPERAND_BYTES:
            raise ValueError(f"call memory buffer for operand {buffer.operand} has "
                             f"{len(buffer.data)} bytes; at most {MAX_MEMORY_OPERAND_BYTES}")
        memory.append(MemoryBuffer(operand=buffer.operand, guest_phys_addr=buffer.guest_phys_addr,
                                   length=buffer.length, direction=Direction(buffer.direction),
                                   data=bytes(buffer.data)))
    # Registers past the end of the list are zero.
    x = [0] + list(wire.args) + [0] * (NUM_REGISTERS - 1 - len(wire.args))
    return Call(function_id=wire.function_id, x=x, args_read_mask=wire.args_read_mask,
                memory=memory)


def result_to_proto(result: Result, call_id: int) -> common_pb2.Result:
    """The Result message answering call ``call_id`` with ``result``."""
    wire = common_pb2.Result(call_id=call_id, written_mask=result.written_mask | 1)
    regs = [v & MASK64 for v in result.x]
    # Trailing zero registers are implied.
    while len(regs) > 1 and regs[-1] == 0:
        regs.pop()
    wire.regs.extend(regs)
    for write in result.memory:
        wire.memory.add(operand=write.operand, data=write.data)
    return wire
