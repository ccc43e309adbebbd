#include "hypercallctl/sessions_command.h"

#include "absl/strings/str_format.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/json_line.h"
#include "hypercallctl/table.h"
#include "hypercallctl/time_format.h"

namespace hypercall::ctl {
namespace {

absl::Status RunSessions(const GlobalOptions& options) {
  absl::StatusOr<DaemonConnection> daemon =
      DaemonConnection::Open(options, wire::kObserverSocketName);
  if (!daemon.ok()) return daemon.status();
  auto stub = v1::ObserverService::NewStub(daemon->channel());
  v1::ListSessionsRequest request;
  *request.mutable_hello() = ClientHello();
  v1::ListSessionsReply reply;
  const grpc::Status status = stub->ListSessions(daemon->NewContext().get(), request, &reply);
  if (!status.ok()) return daemon->RpcFailure(status, "ListSessions");
  return WriteStdout(RenderSessions(reply, options.json));
}

}  // namespace

CommandCheck DefineSessionsCommand(CLI::App& /*command*/) { return NothingToCheck(RunSessions); }

std::string FormatUuid(const std::string& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes.size() == 16 && (i == 4 || i == 6 || i == 8 || i == 10)) out += '-';
    out += absl::StrFormat("%02x", static_cast<unsigned char>(bytes[i]));
  }
  return out;
}

std::string RenderSessions(const v1::ListSessionsReply& reply, bool json) {
  if (json) {
    Json sessions = Json::array();
    for (const v1::SessionInfo& session : reply.sessions()) {
      Json out = {{"session_id", session.session_id()},
                  {"vm_name", session.vm_name()},
                  {"vm_uuid", FormatUuid(session.vm_uuid())},
                  {"vcpu_count", session.vcpu_count()},
                  {"vcpus_connected", session.vcpus_connected()},
                  {"calls", session.calls()},
                  {"attached_unix_seconds", session.attached_unix_seconds()},
                  {"software", session.software()}};
      if (session.has_peer()) {
        out["peer"] = {{"pid", session.peer().pid()},
                       {"uid", session.peer().uid()},
                       {"gid", session.peer().gid()}};
      }
      sessions.push_back(std::move(out));
    }
    return JsonLine({{"sessions", std::move(sessions)}});
  }
  Table table({"SESSION", "VM", "UUID", "VCPUS", "CALLS", "ATTACHED", "PID", "UID", "SOFTWARE"});
  for (const v1::SessionInfo& session : reply.sessions()) {
    const std::string uuid = FormatUuid(session.vm_uuid());
    table.AddRow({session.session_id(), session.vm_name(), uuid.empty() ? "-" : uuid,
                  absl::StrFormat("%u/%u", session.vcpus_connected(), session.vcpu_count()),
                  absl::StrFormat("%u", session.calls()),
                  LocalDateTime(session.attached_unix_seconds()),
                  session.has_peer() ? absl::StrFormat("%u", session.peer().pid()) : "-",
                  session.has_peer() ? absl::StrFormat("%u", session.peer().uid()) : "-",
                  session.software()});
  }
  return table.Render();
}

}  // namespace hypercall::ctl
