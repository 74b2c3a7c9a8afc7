#pragma once
// Maps transport errors of a connect attempt to the report's outcome taxonomy.
#include <string_view>
#include <system_error>

#include "outcome.hpp"

namespace wv::sim {

// `ec` from tls::connect (resolve, TCP, handshake); `detail` OpenSSL's reason (alert name).
outcome_detail classify_connect_error(std::error_code ec, std::string_view detail);

// The outcome for a CONNACK return code (0 connected, 1..5 refusals, else protocol_error).
outcome connack_outcome(int code) noexcept;

}  // namespace wv::sim
