#pragma once
// How one hook call ended, as the hook client reports it (hooks/hook.h) and the readers of each
// hook's answer take it (hooks/answers.h). Pure.
#include "base/json.h"

#include <string>

namespace switchboard::hooks {

// How a call ended.
enum class outcome {
  ok,        // 200 with a JSON object
  refused,   // 401 or 403: the backend said no (the body, when a JSON object, says why)
  error,     // no connection, a broken answer, another status, a 200 that is not a JSON object
  timeout,   // no answer within --hook-timeout
  rejected,  // not sent: the breaker is open, or too many requests are in flight
};
inline constexpr size_t outcome_count = 5;
const char* outcome_name(outcome o);

struct answer {
  outcome result = outcome::error;
  unsigned status = 0;
  json body;          // the answer's JSON object ({} when it had none)
  std::string error;  // when not ok or refused: why, for the log
};

}  // namespace switchboard::hooks
