// A tiny streaming JSON writer for --json output: compact, one document per
// line (so `trace --json` is NDJSON), strings escaped per RFC 8259 with
// invalid UTF-8 replaced by U+FFFD so the output always parses.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_JSON_WRITER_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hypercall::ctl {

// The JSON string literal for `text`, quotes included.
std::string JsonQuote(std::string_view text);

// Builds one JSON value. Inside an object, call Key() before each value.
// The caller keeps the calls balanced (Begin/End); the writer inserts commas.
// Not thread-safe.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(uint64_t value);
  JsonWriter& SignedNumber(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Registers and function IDs: a "0x..." string, since JSON numbers lose
  // precision past 2^53 in most readers.
  JsonWriter& Hex(uint64_t value);

  // Shorthands for Key(key) followed by the value.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& NumberField(std::string_view key, uint64_t value) { return Key(key).Number(value); }
  JsonWriter& HexField(std::string_view key, uint64_t value) { return Key(key).Hex(value); }
  JsonWriter& BoolField(std::string_view key, bool value) { return Key(key).Bool(value); }

  // The document so far.
  const std::string& str() const { return out_; }

 private:
  // Adds the comma that separates this value from the previous one.
  void BeforeValue();

  std::string out_;
  // Per open container: whether it has a member yet.
  std::vector<bool> has_member_;
  // A Key() was just written: the next value needs no comma.
  bool after_key_ = false;
};

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_JSON_WRITER_H_
