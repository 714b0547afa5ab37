#include "bench/loadgen/http_publish.h"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <istream>

namespace switchboard::bench {

http_response http_post_json(const target& to, std::string_view path, std::string_view body,
                             const std::function<void()>& before_send) {
  namespace asio = boost::asio;
  http_response r;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(to.endpoint, ec);
  if (ec) {
    r.error = "connect: " + ec.message();
    return r;
  }
  std::string request =
      "POST " + std::string(path) + " HTTP/1.1\r\nHost: " + to.host_header +
      "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + std::string(body);
  if (before_send) before_send();
  asio::write(socket, asio::buffer(request), ec);
  if (ec) {
    r.error = "write: " + ec.message();
    return r;
  }
  std::string all;
  asio::read(socket, asio::dynamic_buffer(all), ec);  // Connection: close → the body ends at EOF
  if (ec && ec != asio::error::eof) {
    r.error = "read: " + ec.message();
    return r;
  }
  if (all.rfind("HTTP/1.1 ", 0) != 0 || all.size() < 12) {
    r.error = "not an HTTP response";
    return r;
  }
  r.status = std::stoi(all.substr(9, 3));
  const auto head_end = all.find("\r\n\r\n");
  if (head_end != std::string::npos) r.body = all.substr(head_end + 4);
  return r;
}

}  // namespace switchboard::bench
