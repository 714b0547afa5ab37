#pragma once
// The HTTP message types every layer above speaks (Beast's, with in-memory string bodies).
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace switchboard::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;
using status = beast_http::status;
using field = beast_http::field;
using tcp = boost::asio::ip::tcp;

// A complete response with a body and its content type; keep-alive follows the request.
response make_response(const request& req, status code, std::string_view content_type, std::string body);

}  // namespace switchboard::http
