// Runs the C-language checks of the shim's C API that need no daemon.
#include "c_api_checks.h"
#include "gtest/gtest.h"

namespace {

TEST(CApiTest, OptionsDefaults) { EXPECT_EQ(check_options_defaults(), nullptr); }

TEST(CApiTest, ConnectWithoutDaemonFailsWithAMessage) {
  EXPECT_EQ(check_connect_without_daemon("/nonexistent/hypercalld-c-api-test"), nullptr);
}

TEST(CApiTest, BadArguments) { EXPECT_EQ(check_bad_arguments(), nullptr); }

}  // namespace
