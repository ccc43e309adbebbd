#include "hypercallctl/providers_command.h"

#include "absl/strings/str_format.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/json_line.h"
#include "hypercallctl/ranges_command.h"
#include "hypercallctl/register_format.h"
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

CommandCheck DefineProvidersCommand(CLI::App& /*command*/) { return NothingToCheck(RunProviders); }

std::string RenderProviders(const v1::ListProvidersReply& reply, bool json) {
  if (json) {
    Json providers = Json::array();
    for (const v1::ProviderInfo& provider : reply.providers()) {
      Json out = {{"name", provider.name()},
                  {"kind", provider.kind()},
                  {"calls", provider.calls()},
                  {"ranges", Json::array()}};
      for (const v1::RangeInfo& range : provider.ranges()) {
        out["ranges"].push_back({{"first", Hex(range.first_function_id())},
                                 {"count", range.count()},
                                 {"args_read_mask", Hex(range.args_read_mask())}});
      }
      if (provider.kind() == "external") {
        out["serving"] = Json::array();
        for (const v1::PeerIdentity& peer : provider.serving()) {
          out["serving"].push_back({{"pid", peer.pid()}, {"uid", peer.uid()}, {"gid", peer.gid()}});
        }
        const v1::ExternalCallStats& stats = provider.external();
        out["external"] = {{"forwarded", stats.forwarded()},
                           {"answered", stats.answered()},
                           {"unserved", stats.unserved()},
                           {"timed_out", stats.timed_out()},
                           {"lost_with_process", stats.lost_with_process()},
                           {"over_limit", stats.over_limit()},
                           {"stray_results", stats.stray_results()}};
      }
      providers.push_back(std::move(out));
    }
    return JsonLine({{"providers", std::move(providers)}});
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
