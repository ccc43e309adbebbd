#include "hypercallctl/status_command.h"

#include "absl/strings/str_format.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/json_line.h"
#include "hypercallctl/table.h"
#include "hypercallctl/time_format.h"

namespace hypercall::ctl {
namespace {

absl::Status RunStatus(const GlobalOptions& options) {
  absl::StatusOr<DaemonConnection> daemon =
      DaemonConnection::Open(options, wire::kObserverSocketName);
  if (!daemon.ok()) return daemon.status();
  auto stub = v1::ObserverService::NewStub(daemon->channel());
  v1::StatusRequest request;
  *request.mutable_hello() = ClientHello();
  v1::StatusReply reply;
  const grpc::Status status = stub->GetStatus(daemon->NewContext().get(), request, &reply);
  if (!status.ok()) return daemon->RpcFailure(status, "GetStatus");
  return WriteStdout(RenderStatus(reply, options.json));
}

}  // namespace

CommandCheck DefineStatusCommand(CLI::App& /*command*/) { return NothingToCheck(RunStatus); }

std::string RenderStatus(const v1::StatusReply& status, bool json) {
  if (json) {
    return JsonLine({{"software", status.hello().software()},
                     {"protocol_version", status.hello().protocol_version()},
                     {"pid", status.pid()},
                     {"uptime_seconds", status.uptime_seconds()},
                     {"runtime_dir", status.runtime_dir()},
                     {"sessions", status.sessions()},
                     {"vcpu_streams", status.vcpu_streams()},
                     {"calls_total", status.calls_total()},
                     {"calls_unowned", status.calls_unowned()},
                     {"trace_watchers", status.trace_watchers()},
                     {"trace_events_dropped", status.trace_events_dropped()}});
  }
  return RenderKeyValues({
      {"daemon", absl::StrFormat("%s (protocol %u)", status.hello().software(),
                                 status.hello().protocol_version())},
      {"pid", absl::StrFormat("%u", status.pid())},
      {"uptime", Uptime(status.uptime_seconds())},
      {"runtime dir", status.runtime_dir()},
      {"sessions", absl::StrFormat("%u", status.sessions())},
      {"vCPU streams", absl::StrFormat("%u", status.vcpu_streams())},
      {"calls", absl::StrFormat("%u", status.calls_total())},
      {"unowned calls", absl::StrFormat("%u", status.calls_unowned())},
      {"trace watchers", absl::StrFormat("%u", status.trace_watchers())},
      {"trace dropped", absl::StrFormat("%u", status.trace_events_dropped())},
  });
}

}  // namespace hypercall::ctl
