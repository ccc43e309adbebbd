// The bidi stream base over real gRPC (a Unix socket, in-process server):
// writes go out in order, the queue bound holds, a stream finishes once
// with the first reason, holds its finish while asked to, and is deleted
// (and uncounted) only when gRPC is done with it, also when the peer
// cancels mid-write.
#include "service/bidi_stream.h"

#include <google/protobuf/wrappers.pb.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace hypercall::service {
namespace {

using google::protobuf::StringValue;
using Buffers = grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>;

StringValue Text(std::string text) {
  StringValue message;
  message.set_value(std::move(text));
  return message;
}

class TestStream;

// What the server side saw, for the test thread to wait on.
struct Probe {
  absl::Mutex mu;
  TestStream* stream ABSL_GUARDED_BY(mu) = nullptr;
  std::vector<std::string> requests ABSL_GUARDED_BY(mu);
  std::vector<absl::Status> done ABSL_GUARDED_BY(mu);
  bool deleted ABSL_GUARDED_BY(mu) = false;
};

// The base with its protected API opened to the test thread, which drives
// it as the broker would.
class TestStream final : public BidiStream<StringValue, StringValue> {
 public:
  TestStream(StreamCounter& streams, BidiStreamOptions options, Probe& probe)
      : BidiStream(streams, options), probe_(probe) {}

  using BidiStream::EndWith;
  using BidiStream::Send;

  // Queues each of `texts`, then (if given) ends with `end`, in one critical
  // section; then advances. Returns what QueueLocked answered for each.
  std::vector<bool> QueueAtOnce(const std::vector<std::string>& texts,
                                std::optional<absl::Status> end) {
    std::vector<bool> queued;
    {
      absl::MutexLock lock(&mu_);
      for (const std::string& text : texts) queued.push_back(QueueLocked(Text(text)));
      if (end.has_value()) EndWithLocked(*end);
    }
    Advance();
    return queued;
  }

  void HoldFinish(bool hold) {
    {
      absl::MutexLock lock(&mu_);
      hold_finish_ = hold;
    }
    Advance();
  }

 private:
  ~TestStream() override {
    absl::MutexLock lock(&probe_.mu);
    probe_.deleted = true;
  }

  void OnRequest(const StringValue& request) override {
    {
      absl::MutexLock lock(&probe_.mu);
      probe_.requests.push_back(request.value());
    }
    ReadNext();
  }
  void OnBadRequest(const absl::Status& status) override { EndWith(status); }
  bool MayFinishLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hold_finish_; }
  void OnStreamDone(const absl::Status& reason) override {
    absl::MutexLock lock(&probe_.mu);
    probe_.done.push_back(reason);
    probe_.stream = nullptr;
  }

  Probe& probe_;
  bool hold_finish_ ABSL_GUARDED_BY(mu_) = false;
};

class TestService final : public grpc::CallbackGenericService {
 public:
  TestService(StreamCounter& streams, BidiStreamOptions options, Probe& probe)
      : streams_(streams), options_(options), probe_(probe) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    EXPECT_TRUE(streams_.TryStart());
    auto* stream = new TestStream(streams_, options_, probe_);
    absl::MutexLock lock(&probe_.mu);
    probe_.stream = stream;
    return stream;
  }

 private:
  StreamCounter& streams_;
  const BidiStreamOptions options_;
  Probe& probe_;
};

class BidiStreamTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void Start(size_t max_queued = 1,
             BidiStreamOptions::OnEnd on_end = BidiStreamOptions::OnEnd::kDropQueued) {
    const BidiStreamOptions options = {.name = "test",
                                       .max_queued = max_queued,
                                       .on_end = on_end,
                                       .stopped_reading = "the peer stopped reading",
                                       .cancelled = "the peer cancelled"};
    service_ = std::make_unique<TestService>(streams_, options, probe_);
    char tmpl[] = "/tmp/hypercalld-bidi-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    const std::string address = "unix:" + dir_ + "/test.sock";
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials());
    builder.RegisterCallbackGenericService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    channel_ = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }

  // Opens a stream and waits until the server has made its reactor.
  std::unique_ptr<Buffers> Open(grpc::ClientContext& context) {
    std::unique_ptr<Buffers> client(
        grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
            channel_.get(),
            grpc::internal::RpcMethod("/test.Test/Stream",
                                      grpc::internal::RpcMethod::BIDI_STREAMING),
            &context));
    absl::MutexLock lock(&probe_.mu);
    auto made = [this]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(probe_.mu) { return probe_.stream != nullptr; };
    EXPECT_TRUE(probe_.mu.AwaitWithTimeout(absl::Condition(&made), absl::Seconds(10)));
    return client;
  }

  TestStream& Stream() {
    absl::MutexLock lock(&probe_.mu);
    return *probe_.stream;
  }

  static bool Write(Buffers& client, const std::string& bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    return client.Write(buffer);
  }
  static bool WriteText(Buffers& client, std::string text) {
    grpc::ByteBuffer buffer;
    SerializeMessage(Text(std::move(text)), buffer);
    return client.Write(buffer);
  }
  // The next message's text; nullopt when the stream ended.
  static std::optional<std::string> Read(Buffers& client) {
    grpc::ByteBuffer buffer;
    if (!client.Read(&buffer)) return std::nullopt;
    StringValue message;
    if (!ParseMessage(buffer, message).ok()) return "(malformed)";
    return message.value();
  }

  // Waits until the stream was deleted and uncounted; its OnStreamDone
  // reasons (one expected).
  std::vector<absl::Status> AwaitDeleted() {
    EXPECT_TRUE(streams_.AwaitNone(absl::Now() + absl::Seconds(10)));
    absl::MutexLock lock(&probe_.mu);
    EXPECT_TRUE(probe_.deleted);
    return probe_.done;
  }

  StreamCounter streams_{4};
  Probe probe_;
  std::unique_ptr<TestService> service_;
  std::string dir_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(BidiStreamTest, WritesGoOutInOrderThenTheFinish) {
  Start(1000, BidiStreamOptions::OnEnd::kWriteQueued);
  grpc::ClientContext context;
  auto client = Open(context);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(Stream().Send(Text(std::to_string(i))));
  Stream().EndWith(absl::OkStatus());
  for (int i = 0; i < 200; ++i) ASSERT_EQ(Read(*client), std::to_string(i));
  EXPECT_EQ(Read(*client), std::nullopt);
  EXPECT_TRUE(client->Finish().ok());
  std::vector<absl::Status> done = AwaitDeleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].ok());
}

TEST_F(BidiStreamTest, RequestsReachTheStreamAndAHalfCloseFinishesOk) {
  Start();
  grpc::ClientContext context;
  auto client = Open(context);
  ASSERT_TRUE(WriteText(*client, "one"));
  ASSERT_TRUE(WriteText(*client, "two"));
  ASSERT_TRUE(client->WritesDone());
  EXPECT_EQ(Read(*client), std::nullopt);
  EXPECT_TRUE(client->Finish().ok());
  ASSERT_EQ(AwaitDeleted().size(), 1u);
  absl::MutexLock lock(&probe_.mu);
  EXPECT_EQ(probe_.requests, (std::vector<std::string>{"one", "two"}));
}

TEST_F(BidiStreamTest, MalformedBytesGoToOnBadRequest) {
  Start();
  grpc::ClientContext context;
  auto client = Open(context);
  ASSERT_TRUE(Write(*client, "\xff\xff\xff"));
  EXPECT_EQ(Read(*client), std::nullopt);
  grpc::Status status = client->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "malformed google.protobuf.StringValue: the bytes are not a valid protobuf message");
  AwaitDeleted();
}

TEST_F(BidiStreamTest, TheQueueHoldsMaxQueuedBehindTheWriteInFlight) {
  Start(2);
  grpc::ClientContext context;
  auto client = Open(context);
  // Nothing is in flight while the lock is held: two wait, the third is
  // refused.
  EXPECT_EQ(Stream().QueueAtOnce({"a", "b", "c"}, std::nullopt),
            (std::vector<bool>{true, true, false}));
  EXPECT_EQ(Read(*client), "a");
  EXPECT_EQ(Read(*client), "b");
  ASSERT_TRUE(Stream().Send(Text("d")));
  EXPECT_EQ(Read(*client), "d");
  Stream().EndWith(absl::OkStatus());
  EXPECT_EQ(Read(*client), std::nullopt);
  EXPECT_TRUE(client->Finish().ok());
  AwaitDeleted();
}

TEST_F(BidiStreamTest, DropQueuedDiscardsWhatWaitsWhenTheStreamEnds) {
  Start(4, BidiStreamOptions::OnEnd::kDropQueued);
  grpc::ClientContext context;
  auto client = Open(context);
  Stream().QueueAtOnce({"a", "b"}, absl::FailedPreconditionError("ended"));
  EXPECT_EQ(Read(*client), std::nullopt);
  grpc::Status status = client->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "ended");
  AwaitDeleted();
}

TEST_F(BidiStreamTest, WriteQueuedWritesWhatWaitsAndMoreBeforeTheFinish) {
  Start(4, BidiStreamOptions::OnEnd::kWriteQueued);
  grpc::ClientContext context;
  auto client = Open(context);
  Stream().HoldFinish(true);
  EXPECT_EQ(Stream().QueueAtOnce({"a", "b"}, absl::FailedPreconditionError("ended")),
            (std::vector<bool>{true, true}));
  EXPECT_EQ(Read(*client), "a");
  EXPECT_EQ(Read(*client), "b");
  // Ending, and still accepting: e.g. the result of a call in flight.
  EXPECT_TRUE(Stream().Send(Text("c")));
  EXPECT_EQ(Read(*client), "c");
  Stream().HoldFinish(false);
  EXPECT_EQ(Read(*client), std::nullopt);
  EXPECT_EQ(client->Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  AwaitDeleted();
}

TEST_F(BidiStreamTest, AHeldFinishWaitsUntilReleased) {
  Start();
  grpc::ClientContext context;
  auto client = Open(context);
  Stream().HoldFinish(true);
  Stream().EndWith(absl::AbortedError("later"));
  absl::SleepFor(absl::Milliseconds(200));
  {
    absl::MutexLock lock(&probe_.mu);
    EXPECT_TRUE(probe_.done.empty());
    EXPECT_FALSE(probe_.deleted);
  }
  Stream().HoldFinish(false);
  EXPECT_EQ(Read(*client), std::nullopt);
  EXPECT_EQ(client->Finish().error_message(), "later");
  std::vector<absl::Status> done = AwaitDeleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0], absl::AbortedError("later"));
}

TEST_F(BidiStreamTest, FinishesOnceWithTheFirstReasonWhenManyEndIt) {
  Start();
  grpc::ClientContext context;
  auto client = Open(context);
  TestStream& stream = Stream();
  stream.HoldFinish(true);  // Keeps the stream alive while the threads race.
  std::vector<std::thread> enders;
  for (int i = 0; i < 8; ++i) {
    enders.emplace_back([&stream, i] { stream.EndWith(absl::InternalError(std::to_string(i))); });
  }
  for (std::thread& ender : enders) ender.join();
  stream.HoldFinish(false);
  EXPECT_EQ(Read(*client), std::nullopt);
  grpc::Status status = client->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  std::vector<absl::Status> done = AwaitDeleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].message(), status.error_message());
}

TEST_F(BidiStreamTest, APeerThatCancelsMidWriteEndsAndDeletesTheStream) {
  Start(4);
  grpc::ClientContext context;
  auto client = Open(context);
  // Far beyond the flow-control window of a peer that does not read: the
  // write stays in flight, one more waits behind it.
  ASSERT_TRUE(Stream().Send(Text(std::string(16 << 20, 'x'))));
  ASSERT_TRUE(Stream().Send(Text("after")));
  const absl::Time cancelled = absl::Now();
  context.TryCancel();
  EXPECT_EQ(client->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The reason is whichever the server saw first: the failed read (OK, as
  // for a half-close), the cancel or the failed write (CANCELLED).
  EXPECT_EQ(AwaitDeleted().size(), 1u);
  EXPECT_LT(absl::Now() - cancelled, absl::Seconds(5));
}

}  // namespace
}  // namespace hypercall::service
