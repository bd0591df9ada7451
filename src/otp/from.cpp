// `otp::from` and the replies of `otp::reply` that travel as terms.

#include <rill/otp/from.hpp>

#include "otp/gen_tags.hpp"
#include "otp/type_name.hpp"

#include <string>

namespace rill::otp {

term from::tag() const {
    if (reply_type_ != nullptr) {
        return internal::alias_tag(alias_);
    }
    return tag_;
}

std::optional<reference> from::alias() const {
    if (reply_type_ != nullptr) {
        return alias_;
    }
    return internal::alias_of_tag(tag_);
}

namespace detail {

void send_term_reply(const from& to, term reply) {
    term message = term::tuple_of(to.tag(), std::move(reply));
    if (std::optional<reference> alias = to.alias()) {
        process::send(*alias, std::move(message));
    } else {
        process::send(to.caller(), std::move(message));
    }
}

void throw_reply_without_caller() {
    throw badarg("rill::otp::reply: an empty otp::from (no call to reply to)");
}

void throw_reply_without_conversion(const from& to, const std::type_info& type) {
    throw badarg("rill::otp::reply: the caller waits for " +
                 (to.reply_type() != nullptr ? internal::type_name(*to.reply_type())
                                             : std::string("a term")) +
                 ", and " + internal::type_name(type) +
                 " is neither that type nor has a term conversion");
}

} // namespace detail
} // namespace rill::otp
