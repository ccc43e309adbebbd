#include "hypercallctl/table.h"

#include <gtest/gtest.h>

namespace hypercall::ctl {
namespace {

TEST(TableTest, AlignsColumnsToTheWidestCell) {
  Table table({"NAME", "KIND", "CALLS"});
  table.AddRow({"trng", "builtin", "12"});
  table.AddRow({"a-much-longer-name", "remote", "3"});
  EXPECT_EQ(table.Render(),
            "NAME                KIND     CALLS\n"
            "trng                builtin  12\n"
            "a-much-longer-name  remote   3\n");
}

TEST(TableTest, SaysNoneWhenEmpty) {
  Table table({"SESSION", "VM"});
  EXPECT_EQ(table.Render(), "SESSION  VM\n(none)\n");
}

TEST(TableTest, NoTrailingSpacesAndMissingCellsAreEmpty) {
  Table table({"A", "B", "C"});
  table.AddRow({"1"});
  table.AddRow({"22", "x", ""});
  EXPECT_EQ(table.Render(),
            "A   B  C\n"
            "1\n"
            "22  x\n");
}

TEST(TableTest, NeutralisesTerminalControlCharacters) {
  Table table({"SOFTWARE"});
  table.AddRow({"evil\x1b[2J\nvm"});
  EXPECT_EQ(table.Render(), "SOFTWARE\nevil?[2J?vm\n");
  EXPECT_EQ(Printable("ok\t\x7f"), "ok??");
}

TEST(RenderKeyValuesTest, AlignsValues) {
  EXPECT_EQ(RenderKeyValues({{"pid", "42"}, {"runtime dir", "/run/hypercalld"}}),
            "pid:          42\n"
            "runtime dir:  /run/hypercalld\n");
}

}  // namespace
}  // namespace hypercall::ctl
