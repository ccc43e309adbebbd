#include "hypercallctl/providers_command.h"

#include "absl/strings/str_format.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/json_writer.h"
#include "hypercallctl/ranges_command.h"
#include "hypercallctl/table.h"

namespace hypercall::ctl {
namespace {

// "0x84000050-0x8400005f"
std::string RangeText(const v1::RangeInfo& range) {
  return absl::StrFormat("0x%08x-0x%08x", range.first_function_id(), LastFunctionId(range));
}

absl::Status RunProviders(const GlobalOptions& options) {
  absl::StatusOr<DaemonConnection> daemon =
      DaemonConnection::Open(options, wire::kObserverSocketName);
  if (!daemon.ok()) return daemon.status();
  auto stub = v1::ObserverService::NewStub(daemon->channel());
  v1::ListProvidersRequest request;
  *request.mutable_hello() = ClientHello();
  v1::ListProvidersReply reply;
  const grpc::Status status = stub->ListProviders(daemon->NewContext().get(), request, &reply);
  if (!status.ok()) return daemon->RpcFailure(status, "ListProviders");
  return WriteStdout(RenderProviders(reply, options.json));
}

}  // namespace

absl::StatusOr<PreparedCommand> ParseProvidersCommand(const std::vector<std::string>& args) {
  return NoArguments("providers", args, RunProviders);
}

std::string RenderProviders(const v1::ListProvidersReply& reply, bool json) {
  if (json) {
    JsonWriter out;
    out.BeginObject().Key("providers").BeginArray();
    for (const v1::ProviderInfo& provider : reply.providers()) {
      out.BeginObject()
          .Field("name", provider.name())
          .Field("kind", provider.kind())
          .NumberField("calls", provider.calls())
          .Key("ranges")
          .BeginArray();
      for (const v1::RangeInfo& range : provider.ranges()) {
        out.BeginObject()
            .HexField("first", range.first_function_id())
            .NumberField("count", range.count())
            .HexField("args_read_mask", range.args_read_mask())
            .EndObject();
      }
      out.EndArray();
      if (provider.kind() == "external") {
        out.Key("serving").BeginArray();
        for (const v1::PeerIdentity& peer : provider.serving()) {
          out.BeginObject()
              .NumberField("pid", peer.pid())
              .NumberField("uid", peer.uid())
              .NumberField("gid", peer.gid())
              .EndObject();
        }
        const v1::ExternalCallStats& stats = provider.external();
        out.EndArray()
            .Key("external")
            .BeginObject()
            .NumberField("forwarded", stats.forwarded())
            .NumberField("answered", stats.answered())
            .NumberField("unserved", stats.unserved())
            .NumberField("timed_out", stats.timed_out())
            .NumberField("lost_with_process", stats.lost_with_process())
            .NumberField("over_limit", stats.over_limit())
            .NumberField("stray_results", stats.stray_results())
            .EndObject();
      }
      out.EndObject();
    }
    out.EndArray().EndObject();
    return out.str() + "\n";
  }
  Table table({"NAME", "KIND", "CALLS", "SERVED BY", "RANGES"});
  for (const v1::ProviderInfo& provider : reply.providers()) {
    std::string ranges;
    for (const v1::RangeInfo& range : provider.ranges()) {
      ranges += (ranges.empty() ? "" : " ") + RangeText(range);
    }
    std::string served_by = provider.kind() == "external" ? "nobody" : "daemon";
    for (int i = 0; i < provider.serving_size(); ++i) {
      served_by =
          (i == 0 ? "" : served_by + ",") +
          absl::StrFormat("pid %u uid %u", provider.serving(i).pid(), provider.serving(i).uid());
    }
    table.AddRow({provider.name(), provider.kind(), absl::StrFormat("%u", provider.calls()),
                  served_by, ranges.empty() ? "-" : ranges});
  }
  return table.Render();
}

}  // namespace hypercall::ctl
