// One connection to hypercalld's provider socket: the Serve stream with its
// hello, claims, the calls and VmDetached notices read from it and the
// results written to it.
// Results may be written from any thread, also after the stream has ended
// (they are dropped then): calls outlive a lost connection.
#ifndef HYPERCALL_PROVIDER_SRC_PROVIDER_STREAM_H_
#define HYPERCALL_PROVIDER_SRC_PROVIDER_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "hypercall/provider/provider.h"
#include "hypercall/v1/provider.grpc.pb.h"
#include "smccc/call.h"

namespace hypercall::provider {

class ProviderStream {
 public:
  // Opens the stream to `target` ("unix:/run/hypercalld/provider.sock");
  // nothing is sent yet.
  explicit ProviderStream(const std::string& target);
  ~ProviderStream();

  // Says hello as provider `name`; the daemon's refusal (its status and
  // reason) when it does not accept.
  absl::Status Hello(const std::string& name, const std::string& software);

  // Asks for `claim`; the daemon's reply. Calls and notices arriving
  // meanwhile are kept for Next().
  absl::StatusOr<v1::ClaimReply> Claim(const RangeClaim& claim);

  // The next call or VmDetached notice, in the order the daemon sent them
  // (waits for one); false when the stream has ended.
  bool Next(v1::DaemonMessage& message);

  // Writes the answer to call `call_id`; dropped when the stream has ended.
  void Answer(uint64_t call_id, const smccc::Result& result);

  // Tells the daemon this provider is done (it answers the calls still in
  // flight NOT_SUPPORTED); the stream then ends.
  void Close();
  // Ends the stream at once, as a lost connection would.
  void Cancel() { context_.TryCancel(); }

  // After Next() returned false: how the stream ended.
  absl::Status Finish();

 private:
  // Reads one message; false at the end of the stream.
  bool Read(v1::DaemonMessage& message);
  // Writes under mu_; false when the stream has ended.
  bool Write(const v1::ProviderMessage& message);

  std::unique_ptr<v1::ProviderService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ProviderMessage, v1::DaemonMessage>> stream_;
  std::deque<v1::DaemonMessage> early_;

  absl::Mutex mu_;
  bool writable_ ABSL_GUARDED_BY(mu_) = true;
  bool finished_ = false;
};

}  // namespace hypercall::provider

#endif  // HYPERCALL_PROVIDER_SRC_PROVIDER_STREAM_H_
