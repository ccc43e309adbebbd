// The daemon's log: one line per event on stderr. When stderr is the
// journal (systemd says so in JOURNAL_STREAM), each line starts with a
// syslog priority prefix ("<3>" error, "<4>" warning, "<6>" info, "<7>"
// debug) that journald turns into the entry's priority; anywhere else (a
// terminal, a file) the line is plain text, "error: " or "warning: " first
// where it is one.
#ifndef HYPERCALL_DAEMON_BASE_LOG_H_
#define HYPERCALL_DAEMON_BASE_LOG_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

namespace hypercall::daemon {

// Values are the syslog priorities.
enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// "debug", "info", "warning", "error" -> level; nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

// Lines less severe than `level` are dropped. Default: kInfo. Thread-safe.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Whether stderr is the journal: JOURNAL_STREAM ("DEVICE:INODE", set by
// systemd for a service whose stderr it connects to journald) names the
// file stderr is open on (sd-daemon(3), systemd.exec(5)). Asked again for
// every line, so a stderr redirected later is seen.
bool StderrIsJournal();

// Writes `message` as one line (see above) with one write(2), so lines from
// concurrent threads never interleave. A newline or other control byte in
// `message` is escaped ("\n", "\xNN"; tabs stay), so one event is one
// line. Thread-safe.
void LogLine(LogLevel level, std::string_view message);

// `text` from a peer (a VM name, a software string, a provider name) made
// safe to put in a line: every byte outside printable ASCII, and the
// backslash, becomes \xNN, so no peer can end a line or forge another.
std::string Escaped(std::string_view text);

template <typename... Args>
void Log(LogLevel level, const absl::FormatSpec<Args...>& format, const Args&... args) {
  if (LogEnabled(level)) LogLine(level, absl::StrFormat(format, args...));
}

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_BASE_LOG_H_
