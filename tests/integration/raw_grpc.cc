#include "raw_grpc.h"

#include <grpcpp/generic/generic_stub.h>

#include <memory>

namespace hypercall::testing {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Waits for the completion of `tag` on `cq`; false when it failed.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  while (cq.Next(&got, &ok)) {
    if (got == tag) return ok;
  }
  return false;
}

}  // namespace

RawReply RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& request, std::chrono::milliseconds timeout) {
  RawReply reply;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  auto call = stub.PrepareUnaryCall(&ctx, method, ToBuffer(request), &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  int tag = 0;
  call->Finish(&response, &reply.status, &tag);
  Await(cq, &tag);
  if (reply.status.ok()) reply.messages.push_back(FromBuffer(response));
  cq.Shutdown();
  void* ignored;
  bool ok;
  while (cq.Next(&ignored, &ok)) {
  }
  return reply;
}

RawReply RawStreamCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                       const std::vector<std::string>& requests,
                       std::chrono::milliseconds timeout) {
  RawReply reply;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  int start_tag = 0, write_tag = 0, done_tag = 0, read_tag = 0, finish_tag = 0;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(&start_tag);
  if (Await(cq, &start_tag)) {
    for (const auto& request : requests) {
      call->Write(ToBuffer(request), &write_tag);
      if (!Await(cq, &write_tag)) break;
    }
    call->WritesDone(&done_tag);
    Await(cq, &done_tag);
    while (true) {
      grpc::ByteBuffer message;
      call->Read(&message, &read_tag);
      if (!Await(cq, &read_tag)) break;
      reply.messages.push_back(FromBuffer(message));
    }
  }
  call->Finish(&reply.status, &finish_tag);
  Await(cq, &finish_tag);
  cq.Shutdown();
  void* ignored;
  bool ok;
  while (cq.Next(&ignored, &ok)) {
  }
  return reply;
}

RawReply RawSilentStream(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                         std::chrono::milliseconds timeout) {
  RawReply reply;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  int start_tag = 0, read_tag = 0, finish_tag = 0;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(&start_tag);
  if (Await(cq, &start_tag)) {
    while (true) {
      grpc::ByteBuffer message;
      call->Read(&message, &read_tag);
      if (!Await(cq, &read_tag)) break;
      reply.messages.push_back(FromBuffer(message));
    }
  }
  call->Finish(&reply.status, &finish_tag);
  Await(cq, &finish_tag);
  cq.Shutdown();
  void* ignored;
  bool ok;
  while (cq.Next(&ignored, &ok)) {
  }
  return reply;
}

}  // namespace hypercall::testing
