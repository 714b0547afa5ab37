#include "protocol/socketio/decoder.h"

namespace switchboard::protocol::socketio {

decoder::result decoder::fail(std::string_view message) {
  error_ = {message};
  reconstructing_ = false;
  buffers_.clear();
  attachment_bytes_ = 0;
  return result::error;
}

decoder::result decoder::add_text(std::string_view text) {
  if (reconstructing_) return fail("got plaintext data when reconstructing a packet");
  if (!decode_text(text, packet_, error_)) return result::error;
  if ((packet_.type == packet_type::binary_event || packet_.type == packet_type::binary_ack) &&
      packet_.attachments > 0) {
    reconstructing_ = true;
    buffers_.clear();
    attachment_bytes_ = 0;
    return result::pending;
  }
  return result::packet;
}

decoder::result decoder::add_binary(std::string&& bytes) {
  if (!reconstructing_) return fail("got binary data when not reconstructing a packet");
  attachment_bytes_ += bytes.size();
  if (attachment_bytes_ > max_attachment_bytes_) return fail("attachments over the payload limit");
  buffers_.push_back(std::move(bytes));
  if (buffers_.size() < packet_.attachments) return result::pending;
  reconstructing_ = false;
  const bool ok = reconstruct(*packet_.data, buffers_);
  buffers_.clear();
  if (!ok) return fail("illegal attachments");
  return result::packet;
}

}  // namespace switchboard::protocol::socketio
