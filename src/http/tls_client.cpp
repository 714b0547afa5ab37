#include "http/tls_client.h"

#include <boost/asio/ssl/host_name_verification.hpp>

namespace switchboard::http {

boost::asio::ssl::context verifying_client_context() {
  boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(boost::asio::ssl::verify_peer);
  return tls;
}

void expect_host(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream, const std::string& host) {
  SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           static_cast<void*>(const_cast<char*>(host.c_str())));
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

}  // namespace switchboard::http
