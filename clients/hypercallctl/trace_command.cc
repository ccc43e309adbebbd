#include "hypercallctl/trace_command.h"

#include <chrono>
#include <memory>

#include "absl/strings/str_format.h"
#include "cmdline/parse.h"
#include "hypercall/v1/observer.grpc.pb.h"
#include "hypercallctl/daemon_connection.h"
#include "hypercallctl/interrupt_watcher.h"
#include "hypercallctl/numbers.h"
#include "hypercallctl/trace_line.h"

namespace hypercall::ctl {
namespace {

// What `trace`'s options received, and any stray argument (refused with
// a hint, since `trace NAME` is an easy mistake).
struct TraceArgs {
  std::string vm;
  std::string count;
  std::string duration;
  std::vector<std::string> stray;
};

void AddTraceArgs(CLI::App& command, TraceArgs& args) {
  command.add_option("--vm", args.vm);
  command.add_option("--count", args.count);
  command.add_option("--duration", args.duration);
  command.add_option("stray", args.stray);
}

// Upper bounds that catch typos, not real limits: a billion calls, a year.
constexpr uint64_t kMaxCount = 1000000000;
constexpr uint64_t kMaxDurationSeconds = 366 * 24 * 3600;

// Prints events until the stream ends or `limit` (if non-zero) calls were
// printed. Returns how many were printed, or the output error.
absl::StatusOr<uint64_t> PrintEvents(grpc::ClientReader<v1::TraceEvent>& reader, uint64_t limit,
                                     bool json) {
  uint64_t printed = 0;
  v1::TraceEvent event;
  while ((limit == 0 || printed < limit) && reader.Read(&event)) {
    std::string text;
    if (json) {
      text = FormatTraceJson(event);
    } else {
      if (event.dropped_before() > 0) text = FormatDroppedLine(event.dropped_before());
      text += FormatTraceLine(event);
    }
    if (absl::Status written = WriteStdout(text); !written.ok()) return written;
    ++printed;
  }
  return printed;
}

absl::Status RunTrace(const TraceRequest& trace, const GlobalOptions& options) {
  // Before gRPC starts any thread, so they all leave the signals to it.
  InterruptWatcher interrupts;
  absl::StatusOr<DaemonConnection> daemon =
      DaemonConnection::Open(options, wire::kObserverSocketName);
  if (!daemon.ok()) return daemon.status();
  const auto connect_deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(options.timeout_seconds);
  if (!daemon->channel()->WaitForConnected(connect_deadline)) {
    return absl::DeadlineExceededError(
        absl::StrFormat("could not connect to hypercalld on %s within %u s (raise --timeout)",
                        daemon->socket_path(), options.timeout_seconds));
  }

  // The stream lives until the user stops it, so its deadline is --duration
  // (if given), not --timeout.
  grpc::ClientContext context;
  if (trace.duration_seconds > 0) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(trace.duration_seconds));
  }
  interrupts.Start([&context] { context.TryCancel(); });

  auto stub = v1::ObserverService::NewStub(daemon->channel());
  v1::TraceRequest request;
  *request.mutable_hello() = ClientHello();
  request.set_vm(trace.vm);
  auto reader = stub->Trace(&context, request);
  absl::StatusOr<uint64_t> printed = PrintEvents(*reader, trace.count, options.json);
  const bool count_reached = printed.ok() && trace.count > 0 && *printed >= trace.count;
  if (!printed.ok() || count_reached) context.TryCancel();
  const grpc::Status status = reader->Finish();
  interrupts.Stop();
  if (!printed.ok()) return printed.status();
  if (count_reached || interrupts.interrupted()) return absl::OkStatus();
  if (trace.duration_seconds > 0 && status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::OkStatus();
  }
  if (status.ok()) {
    return absl::UnavailableError("hypercalld ended the trace (is it shutting down?)");
  }
  return daemon->RpcFailure(status, "the trace");
}

absl::StatusOr<TraceRequest> CheckTraceArgs(const TraceArgs& args, const CLI::App& command) {
  if (!args.stray.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "trace takes only options; got '%s' (filter a VM with --vm NAME)", args.stray[0]));
  }
  TraceRequest trace;
  if (command.count("--vm") > 0) {
    trace.vm = args.vm;
    if (trace.vm.empty()) return absl::InvalidArgumentError("trace: --vm needs a VM name");
  }
  if (command.count("--count") > 0) {
    absl::StatusOr<uint64_t> count = ParseNumberInRange(args.count, "--count", 1, kMaxCount);
    if (!count.ok()) return count.status();
    trace.count = *count;
  }
  if (command.count("--duration") > 0) {
    absl::StatusOr<uint64_t> duration =
        ParseNumberInRange(args.duration, "--duration", 1, kMaxDurationSeconds);
    if (!duration.ok()) return duration.status();
    trace.duration_seconds = *duration;
  }
  return trace;
}

}  // namespace

CommandCheck DefineTraceCommand(CLI::App& command) {
  auto args = std::make_shared<TraceArgs>();
  AddTraceArgs(command, *args);
  return [args, &command]() -> absl::StatusOr<PreparedCommand> {
    absl::StatusOr<TraceRequest> trace = CheckTraceArgs(*args, command);
    if (!trace.ok()) return trace.status();
    return PreparedCommand(
        [trace = *trace](const GlobalOptions& options) { return RunTrace(trace, options); });
  };
}

absl::StatusOr<TraceRequest> ParseTraceArgs(const std::vector<std::string>& args) {
  CLI::App app;
  cmdline::Configure(app);
  TraceArgs received;
  AddTraceArgs(app, received);
  if (absl::Status status = cmdline::Parse(app, args); !status.ok()) return status;
  return CheckTraceArgs(received, app);
}

}  // namespace hypercall::ctl
