#pragma once

/// \file
/// `otp::from`: who made a call (OTP's `From = {Pid, Tag}`), and
/// `otp::reply(from, value)`, the deferred reply (gen_server:reply/2).
///
/// A call made with `otp::call` on a typed `server_ref<S>` waits for a
/// reply of the C++ type its `handle_call` returns; `otp::reply` with a
/// value of that type moves it to the caller. A call from another node, or
/// an untyped one, waits for a term: the value is converted. Either way the
/// reply goes to the call's alias, so one that comes after the caller
/// gave up (a timeout) is dropped, never left in its mailbox.

#include <rill/core/errors.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/process/send.hpp>

#include <optional>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace rill::otp {

namespace detail {

/// A typed reply: what a typed caller waits for, sent to its alias.
template <class R>
struct typed_reply {
    reference alias;
    R value;
};

} // namespace detail

class from {
public:
    /// No caller: `otp::reply` to it throws `badarg`.
    from() = default;

    /// A call from a term message `{'$gen_call', {Caller, Tag}, Request}`.
    from(const pid& caller, term tag)
        : caller_(caller)
        , tag_(std::move(tag))
        , has_caller_(true) {}

    /// A typed call whose caller waits for an `R` (or a term that converts
    /// to one) at `alias`.
    template <class R>
    static from typed(const pid& caller, const reference& alias) {
        from f;
        f.caller_ = caller;
        f.alias_ = alias;
        f.has_caller_ = true;
        f.reply_type_ = &typeid(R);
        return f;
    }

    [[nodiscard]] const pid& caller() const noexcept { return caller_; }

    /// The tag as it is on the wire: `[alias | Alias]` for a typed call.
    [[nodiscard]] term tag() const;

    /// Where the reply goes: the alias of the call, if it has one.
    [[nodiscard]] std::optional<reference> alias() const;

    [[nodiscard]] bool empty() const noexcept { return !has_caller_; }

    /// The C++ type a typed caller waits for; null for a term call.
    [[nodiscard]] const std::type_info* reply_type() const noexcept { return reply_type_; }

    /// OTP's From as a term: `{Pid, Tag}`.
    [[nodiscard]] term as_term() const { return term::tuple_of(caller_, tag()); }

    friend bool operator==(const from& a, const from& b) {
        return a.caller_ == b.caller_ && a.alias_ == b.alias_ && a.tag_ == b.tag_;
    }

private:
    pid caller_{};
    term tag_{};        // a term call's tag; `[]` for a typed call
    reference alias_{}; // a typed call's alias
    bool has_caller_ = false;
    const std::type_info* reply_type_ = nullptr;
};

namespace detail {
/// Sends `{Tag, Reply}` as gen:reply does: to the alias of an `[alias | A]`
/// tag, else to the caller's pid.
void send_term_reply(const from& to, term reply);
[[noreturn]] void throw_reply_without_caller();
[[noreturn]] void throw_reply_without_conversion(const from& to, const std::type_info& type);
} // namespace detail

/// Replies to the call from `to` (gen_server:reply/2): a handle_call that
/// returned `otp::noreply()` answers this way, now or later, from the
/// server or from any process it gave `to`. A caller that is gone, or that
/// gave up, never sees the reply. Throws `badarg` for an empty `from`, and
/// for a value the caller cannot receive: not the type a typed caller waits
/// for, and without a term conversion.
template <class V>
void reply(const from& to, V&& value) {
    using T = std::remove_cvref_t<V>;
    if (to.empty()) {
        detail::throw_reply_without_caller();
    }
    if (const std::type_info* wanted = to.reply_type();
        wanted != nullptr && (wanted == &typeid(T) || *wanted == typeid(T))) {
        const reference alias = *to.alias();
        process::send(alias, detail::typed_reply<T>{alias, T(std::forward<V>(value))});
        return;
    }
    if constexpr (term_convertible<T> || std::is_same_v<T, term>) {
        detail::send_term_reply(to, term(std::forward<V>(value)));
    } else {
        detail::throw_reply_without_conversion(to, typeid(T));
    }
}

} // namespace rill::otp
