// The relay's HTTPS client (gateway/relay/push_client.h) against a real receiving partner
// over mutual TLS on loopback: the server certificate must name the endpoint's host, as
// a DNS name (also sent as SNI) or as an IP address.
#include "gateway/relay/push_client.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/partner_server.h"
#include "tests/support/pki.h"

namespace sixlink::testing {
namespace {

using namespace std::chrono_literals;

class PushClientTest : public ::testing::Test {
 protected:
  PushResult post_to(const std::string& host) { return post_to(host, receiver->port()); }
  // One post from a fresh client to host:port.
  PushResult post_to(const std::string& host, uint16_t port) {
    std::string error;
    auto tls = tls::make_client_context({gateway.cert, gateway.key, pki.ca_cert(), ""},
                                        pki.ca_cert(), &error);
    EXPECT_TRUE(tls) << error;
    if (!tls) return {};
    boost::asio::io_context ioc;
    PushClient client(ioc.get_executor(), tls, HttpsEndpoint{host, port, "/in"}, 2s);
    // Temporaries, gone before the coroutine first runs: post() keeps its own copies
    // (with the reference parameters it once had, ASan saw a use after free here).
    auto done = boost::asio::co_spawn(
        ioc, client.post({{"Sixlink-Message-Id", "M-1"}}, "application/json", "{}"),
        boost::asio::use_future);
    ioc.run();
    return done.get();
  }
  void serve_with(const Identity& id) {
    receiver = std::make_unique<PartnerServer>(id.cert, id.key, pki.ca_cert());
    receiver->start();
  }

  TempDir dir{"sixlink-push-client-"};
  TestPki pki{dir.path()};
  Identity gateway = pki.issue("gateway", {"gateway.sixlink.local"});
  std::unique_ptr<PartnerServer> receiver;
};

TEST_F(PushClientTest, DnsNameAndIpAddressOfTheCertificateAreAccepted) {
  serve_with(pki.issue("rx", {"localhost"}, {"127.0.0.1"}));
  PushResult by_name = post_to("localhost");
  EXPECT_EQ(by_name.status, 200) << by_name.error;
  PushResult by_ip = post_to("127.0.0.1");
  EXPECT_EQ(by_ip.status, 200) << by_ip.error;
  EXPECT_EQ(receiver->total(), 2u);
  EXPECT_EQ(receiver->client_identity_of_last(), "gateway.sixlink.local");
}

TEST_F(PushClientTest, ACertificateNotNamingTheHostIsRefused) {
  serve_with(pki.issue("rx", {"elsewhere.sixlink.local"}, {"127.0.0.2"}));
  PushResult by_name = post_to("localhost");
  EXPECT_EQ(by_name.status, 0);
  EXPECT_NE(by_name.error.find("certificate verify failed"), std::string::npos) << by_name.error;
  PushResult by_ip = post_to("127.0.0.1");
  EXPECT_EQ(by_ip.status, 0);
  EXPECT_NE(by_ip.error.find("certificate verify failed"), std::string::npos) << by_ip.error;
  EXPECT_EQ(receiver->total(), 0u) << "nothing was sent to the wrong server";
}

// A shutdown cancels the push in flight on a kept-alive connection. The cancelled post once
// looked like a stale connection to the client, which sent the message again on a fresh one.
TEST_F(PushClientTest, ACancelledPostIsNotSentAgain) {
  serve_with(pki.issue("rx", {"localhost"}, {"127.0.0.1"}));
  std::string error;
  auto tls = tls::make_client_context({gateway.cert, gateway.key, pki.ca_cert(), ""}, pki.ca_cert(), &error);
  ASSERT_TRUE(tls) << error;
  boost::asio::io_context ioc;
  PushClient client(ioc.get_executor(), tls, HttpsEndpoint{"127.0.0.1", receiver->port(), "/in"}, 5s);
  auto first = boost::asio::co_spawn(ioc, client.post({{"Sixlink-Message-Id", "M-1"}}, "application/json", "{}"),
                                     boost::asio::use_future);
  ioc.run();
  ASSERT_EQ(first.get().status, 200);
  receiver->set_delay(1500ms);
  ioc.restart();
  auto second = boost::asio::co_spawn(ioc, client.post({{"Sixlink-Message-Id", "M-2"}}, "application/json", "{}"),
                                      boost::asio::use_future);
  boost::asio::steady_timer stop(ioc, 300ms);  // the request is at the receiver by then
  stop.async_wait([&](boost::system::error_code) { client.cancel(); });
  ioc.run();
  PushResult r = second.get();
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(receiver->wait_for_received(2, 2s));
  std::this_thread::sleep_for(300ms);  // a second send would have reached the receiver by now
  EXPECT_EQ(receiver->received().size(), 2u) << "M-2 was sent once, not again after the cancel";
  ioc.restart();
  auto third = boost::asio::co_spawn(ioc, client.post({{"Sixlink-Message-Id", "M-3"}}, "application/json", "{}"),
                                     boost::asio::use_future);
  ioc.run();
  EXPECT_EQ(third.get().error, "cancelled") << "a cancelled client posts nothing more";
}

TEST_F(PushClientTest, AnUnreachableEndpointIsAnErrorNotAHang) {
  serve_with(pki.issue("rx", {"localhost"}));
  const uint16_t port = receiver->port();
  receiver.reset();  // nothing listens there any more
  PushResult r = post_to("127.0.0.1", port);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace sixlink::testing
