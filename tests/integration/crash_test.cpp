// Nothing acknowledged is lost (DESIGN §2): the real gateway process is killed with
// SIGKILL while four members are sending and deliveries are under way; after a restart
// every message that got a 202 reaches its recipient. A message may arrive twice only
// if its delivery was in flight at the kill; the receiver counts those by message id.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/federation.h"

namespace sixlink::testing {
namespace {

using namespace std::chrono_literals;

TEST(CrashTest, EveryAcknowledgedMessageIsDeliveredAfterSigkill) {
  Federation fed;
  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());

  constexpr int kPerSender = 1200;
  constexpr int kKillAfter = 2500;  // acknowledged messages before the kill
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> acked{0};
  std::vector<std::thread> senders;
  for (std::string member : {"kunshan", "jiading", "taicang", "baoshan"}) {
    senders.emplace_back([&, member] {
      auto c = fed.client(member);
      std::string recipient = member == "baoshan" ? "jiading" : "baoshan";
      for (int i = 0; i < kPerSender; ++i) {
        std::string id = member + "-" + std::to_string(i);
        HttpResult r = c->request("POST", "/v1/messages", alert_json(id, member, {recipient}));
        if (r.status == 0) return;  // the gateway is gone: this message was never acknowledged
        if (r.status == 202 || r.status == 200) {
          std::lock_guard lock(mu);
          acknowledged.insert(id);
          ++acked;
        }
      }
    });
  }
  while (acked.load() < kKillAfter) std::this_thread::sleep_for(1ms);
  fed.kill_gateway(SIGKILL);
  for (auto& t : senders) t.join();
  const std::size_t delivered_before_kill = fed.baoshan_rx->unique() + fed.jiading_rx->unique();
  ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(kKillAfter));

  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());
  // Waits for the acknowledged ids themselves, not for a count: messages committed but
  // not acknowledged before the kill are delivered too, in any order across lanes.
  std::map<std::string, int> received;
  auto all_received = [&] {
    received = fed.baoshan_rx->counts();
    for (const auto& [id, n] : fed.jiading_rx->counts()) received[id] += n;
    for (const auto& id : acknowledged)
      if (!received.count(id)) return false;
    return true;
  };
  eventually(all_received, 60s);
  int twice = 0;
  for (const auto& id : acknowledged) {
    ASSERT_TRUE(received.count(id)) << id << " was acknowledged with 202 and never delivered";
    if (received[id] > 1) ++twice;
  }
  // Up to max_in_flight (4) deliveries per push member in flight, plus outcomes held for
  // the pass's write or not yet committed at the kill: a pass's worth at most.
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  RecordProperty("delivered_before_kill", static_cast<int>(delivered_before_kill));
  RecordProperty("delivered_twice", twice);
  std::cout << "[ crash    ] acknowledged " << acknowledged.size() << ", delivered before the kill "
            << delivered_before_kill << ", delivered twice (in flight at the kill) " << twice << "\n";
  EXPECT_LE(twice, 16);
  fed.kill_gateway(SIGTERM);
  EXPECT_EQ(fed.wait_gateway_exit(), 0) << "SIGTERM drains and exits 0";
}

TEST(CrashTest, SigtermDrainsAndExitsZeroWithNothingLost) {
  Federation fed;
  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());
  auto c = fed.client("kunshan");
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(c->request("POST", "/v1/messages", alert_json("KS-T" + std::to_string(i), "kunshan", {"taicang"})).status, 202);
  fed.kill_gateway(SIGTERM);
  EXPECT_EQ(fed.wait_gateway_exit(), 0);
  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());
  auto tc = fed.client("taicang");
  HttpResult page = tc->request("GET", "/v1/inbox?limit=1000");
  ASSERT_EQ(page.status, 200);
  int n = 0;
  for (std::size_t pos = 0; (pos = page.body.find("\"cursor\"", pos)) != std::string::npos; ++pos) ++n;
  EXPECT_EQ(n, 50);
}

TEST(CrashTest, SigtermUnderLoadAnswersWhatItReadStoresEveryAnswerAndExitsZero) {
  Federation fed;
  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> acked{0}, refused_after_stop{0};
  std::string unexpected;
  std::vector<std::thread> senders;
  for (std::string member : {"kunshan", "jiading", "baoshan"}) {
    senders.emplace_back([&, member] {
      auto c = fed.client(member);
      std::string recipient = member == "jiading" ? "baoshan" : "taicang";
      for (int i = 0; i < 100000; ++i) {
        std::string id = member + "-TERM-" + std::to_string(i);
        HttpResult r = c->request("POST", "/v1/messages", alert_json(id, member, {recipient}));
        if (r.status == 0) return;  // closed: this one was never read, so never acknowledged
        if (r.status == 503 && r.body.find("shutting_down") != std::string::npos) return;  // not acknowledged
        if (r.status != 202) {
          ++refused_after_stop;
          std::lock_guard lock(mu);
          unexpected = std::to_string(r.status) + " " + r.body;
          return;
        }
        std::lock_guard lock(mu);
        acknowledged.insert(id);
        ++acked;
      }
    });
  }
  while (acked.load() < 300) std::this_thread::sleep_for(1ms);
  fed.kill_gateway(SIGTERM);
  for (auto& t : senders) t.join();
  EXPECT_EQ(fed.wait_gateway_exit(), 0) << "SIGTERM drains and exits 0";
  EXPECT_EQ(refused_after_stop.load(), 0) << "a request read while draining is 202 or 503 shutting_down: " << unexpected;

  fed.spawn_gateway();
  ASSERT_FALSE(HasFatalFailure());
  std::set<std::string> stored;
  auto tc = fed.client("taicang");
  for (std::string after = "0";;) {  // every page of Taicang's inbox
    HttpResult page = tc->request("GET", "/v1/inbox?limit=1000&after=" + after);
    ASSERT_EQ(page.status, 200) << page.body;
    auto doc = boost::json::parse(page.body).as_object();
    const auto& messages = doc.at("messages").as_array();
    if (messages.empty()) break;
    for (const auto& m : messages) stored.insert(std::string(m.at("id").as_string()));
    after = std::string(doc.at("next").as_string());
  }
  std::size_t to_baoshan = 0;
  for (const auto& id : acknowledged) to_baoshan += id.starts_with("jiading-") ? 1 : 0;
  ASSERT_TRUE(fed.baoshan_rx->wait_for_unique(to_baoshan, 30s)) << fed.baoshan_rx->unique() << " of " << to_baoshan;
  for (const auto& [id, n] : fed.baoshan_rx->counts()) stored.insert(id);
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id << " got a 202 before SIGTERM and is missing";
  std::cout << "[ sigterm  ] acknowledged " << acknowledged.size() << " under load, all present after restart\n";
  fed.kill_gateway(SIGTERM);
  EXPECT_EQ(fed.wait_gateway_exit(), 0);
}

}  // namespace
}  // namespace sixlink::testing
