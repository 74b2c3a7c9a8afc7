#pragma once
// result<T>: a value or a std::error_code, like C++23 std::expected<T, std::error_code>.
#include <cassert>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include "mqtt/errors.hpp"

namespace wv::mqtt {

template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}                    // NOLINT: implicit on purpose
    result(std::error_code e) : v_(e) { assert(e); }             // NOLINT
    result(mqtt_errc e) : v_(make_error_code(e)) {}              // NOLINT

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    // Throws wv::mqtt::exception (a std::system_error) when there is no value.
    T& value() & { check(); return std::get<0>(v_); }
    const T& value() const& { check(); return std::get<0>(v_); }
    T&& value() && { check(); return std::get<0>(std::move(v_)); }

    T& operator*() noexcept { return *std::get_if<0>(&v_); }
    const T& operator*() const noexcept { return *std::get_if<0>(&v_); }
    T* operator->() noexcept { return std::get_if<0>(&v_); }
    const T* operator->() const noexcept { return std::get_if<0>(&v_); }

    // The error, or an empty error_code when there is a value.
    std::error_code error() const noexcept {
        const auto* e = std::get_if<1>(&v_);
        return e ? *e : std::error_code{};
    }

private:
    void check() const {
        if (!has_value()) throw exception(std::get<1>(v_));
    }
    std::variant<T, std::error_code> v_;
};

}  // namespace wv::mqtt
