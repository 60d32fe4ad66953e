#include "gateway/listeners/admin_session.h"

#include "gateway/net/http_server.h"

namespace sixlink {

boost::asio::awaitable<void> run_admin_session(boost::asio::ip::tcp::socket socket,
                                               const Limits& limits, AdminApi& api) {
  net::beast::tcp_stream stream(std::move(socket));
  net::beast::flat_buffer buffer;
  net::RequestHandler handler = [&api](HttpRequest req, Respond respond) {
    api.handle(std::move(req), std::move(respond));
  };
  co_await net::serve_requests(stream, buffer, limits, handler);
  boost::system::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace sixlink
