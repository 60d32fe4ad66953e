#include "gateway/listeners/admin_session.h"

#include "gateway/log.h"
#include "gateway/net/http_server.h"

namespace sixlink {

boost::asio::awaitable<void> run_admin_session(boost::asio::ip::tcp::socket socket,
                                               Limits limits, AdminApi& api) {
  net::beast::tcp_stream stream(std::move(socket));
  net::beast::flat_buffer buffer;
  net::RequestHandler handler = [&api](HttpRequest req, Respond respond) {
    if (!log_enabled(LogLevel::info)) return api.handle(std::move(req), std::move(respond));
    auto logged = [started = req.received_at, method = req.method, path = parse_target(req.target).path,
                   in = req.body.size(), respond = std::move(respond)](HttpResponse r) {
      log_access("admin", "-", method, path, r, in, started);
      respond(std::move(r));
    };
    api.handle(std::move(req), std::move(logged));
  };
  co_await net::serve_requests(stream, buffer, limits, handler);
  boost::system::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace sixlink
