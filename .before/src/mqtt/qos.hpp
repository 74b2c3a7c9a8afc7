#pragma once
#include <cstdint>

namespace wv::mqtt {

// Quality of service of a PUBLISH, a Will or a subscription. 3 never decodes (invalid_qos).
enum class qos : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

}  // namespace wv::mqtt
