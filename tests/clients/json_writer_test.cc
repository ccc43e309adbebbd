#include "hypercallctl/json_writer.h"

#include <gtest/gtest.h>

namespace hypercall::ctl {
namespace {

TEST(JsonQuoteTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("say \"hi\"\\"), R"("say \"hi\"\\")");
  EXPECT_EQ(JsonQuote("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(JsonQuote(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(JsonQuote(std::string("nul\0!", 5)), R"("nul\u0000!")");
}

TEST(JsonQuoteTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(JsonQuote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(JsonQuote("\x80"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonQuote("\xC3"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonQuote("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonQuote("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonWriterTest, NestsObjectsAndArraysWithCommas) {
  JsonWriter out;
  out.BeginObject()
      .Field("name", "TRNG_RND64")
      .HexField("function_id", 0xc4000053)
      .NumberField("count", 16)
      .Key("delta")
      .SignedNumber(-2)
      .BoolField("fast", true)
      .Key("provider")
      .Null()
      .Key("args")
      .BeginArray()
      .String("x1")
      .String("x2")
      .EndArray()
      .Key("empty")
      .BeginObject()
      .EndObject()
      .Key("list")
      .BeginArray()
      .BeginObject()
      .HexField("x0", 0)
      .EndObject()
      .BeginObject()
      .EndObject()
      .EndArray()
      .EndObject();
  EXPECT_EQ(out.str(), R"({"name":"TRNG_RND64","function_id":"0xc4000053","count":16,"delta":-2,)"
                       R"("fast":true,"provider":null,"args":["x1","x2"],"empty":{},)"
                       R"("list":[{"x0":"0x0"},{}]})");
}

TEST(JsonWriterTest, HexIsMinimalLowerCaseAndFull64Bit) {
  JsonWriter out;
  out.BeginArray().Hex(0x10000).Hex(UINT64_MAX).EndArray();
  EXPECT_EQ(out.str(), R"(["0x10000","0xffffffffffffffff"])");
}

TEST(JsonWriterTest, EscapesKeysToo) {
  JsonWriter out;
  out.BeginObject().Field("a\"b", "c").EndObject();
  EXPECT_EQ(out.str(), R"({"a\"b":"c"})");
}

}  // namespace
}  // namespace hypercall::ctl
