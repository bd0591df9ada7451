// A recursive-descent reader of the Erlang subset in erlang_literal.hpp.
// Test code: it recurses, and gives up (empty result) on anything unknown.

#include "unit/etf/erlang_literal.hpp"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace rill::test {

namespace {

struct unsupported {};

void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0U | (code >> 6U)));
        out.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
    } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0U | (code >> 12U)));
        out.push_back(static_cast<char>(0x80U | ((code >> 6U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
    } else {
        out.push_back(static_cast<char>(0xF0U | (code >> 18U)));
        out.push_back(static_cast<char>(0x80U | ((code >> 12U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | ((code >> 6U) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
    }
}

// Bits appended most significant first, as a binary's segments are.
struct bit_builder {
    std::vector<std::uint8_t> bytes;
    std::size_t bits = 0;

    void append(std::uint64_t value, std::size_t size) {
        for (std::size_t i = size; i-- > 0;) {
            if (bits % 8 == 0) {
                bytes.push_back(0);
            }
            if (((value >> i) & 1U) != 0) {
                bytes.back() |= static_cast<std::uint8_t>(0x80U >> (bits % 8));
            }
            ++bits;
        }
    }

    [[nodiscard]] term build() const {
        const auto view = std::as_bytes(std::span(bytes));
        const std::size_t rest = bits % 8;
        return rest == 0 ? term::binary(view)
                         : term::bitstring(view, static_cast<std::uint8_t>(rest));
    }
};

term integer_from_decimal(std::string_view digits, bool negative) {
    std::vector<std::uint8_t> magnitude; // little-endian
    for (const char c : digits) {
        unsigned carry = static_cast<unsigned>(c - '0');
        for (auto& byte : magnitude) {
            const unsigned v = byte * 10U + carry;
            byte = static_cast<std::uint8_t>(v & 0xFFU);
            carry = v >> 8U;
        }
        if (carry != 0) {
            magnitude.push_back(static_cast<std::uint8_t>(carry));
        }
    }
    return term::big_integer(negative, magnitude);
}

term shift_left(const term& value, std::int64_t shift) {
    if (shift < 0) {
        throw unsupported{};
    }
    const auto m = value.as_integer_magnitude();
    std::vector<std::uint8_t> shifted(static_cast<std::size_t>(shift / 8), 0);
    const auto bits = static_cast<unsigned>(shift % 8);
    unsigned carry = 0;
    for (const std::uint8_t byte : m.little_endian) {
        const unsigned v = (static_cast<unsigned>(byte) << bits) | carry;
        shifted.push_back(static_cast<std::uint8_t>(v & 0xFFU));
        carry = v >> 8U;
    }
    if (carry != 0) {
        shifted.push_back(static_cast<std::uint8_t>(carry));
    }
    return term::big_integer(m.negative, shifted);
}

std::vector<std::uint32_t> parse_dotted(std::string_view text, std::string_view prefix) {
    if (text.substr(0, prefix.size()) != prefix || text.empty() || text.back() != '>') {
        throw unsupported{};
    }
    text = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    std::vector<std::uint32_t> numbers;
    std::uint64_t n = 0;
    for (const char c : text) {
        if (c == '.') {
            numbers.push_back(static_cast<std::uint32_t>(n));
            n = 0;
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
        } else {
            throw unsupported{};
        }
    }
    numbers.push_back(static_cast<std::uint32_t>(n));
    return numbers;
}

std::string codes_to_string(const term& list) {
    std::string text;
    for (const term& code : list.list_elements()) {
        text.push_back(static_cast<char>(*code.to_int64()));
    }
    return text;
}

class reader {
public:
    explicit reader(std::string_view text)
        : text_(text) {}

    term whole() {
        term t = expression();
        skip_space();
        if (at_ != text_.size()) {
            throw unsupported{};
        }
        return t;
    }

private:
    term expression() {
        term left = primary();
        skip_space();
        if (text_.substr(at_, 3) == "bsl") {
            at_ += 3;
            const term right = primary();
            return shift_left(left, *right.to_int64());
        }
        return left;
    }

    term primary() {
        skip_space();
        const char c = peek();
        if (c == '{') {
            ++at_;
            return term::tuple(sequence('}'));
        }
        if (c == '[') {
            return list();
        }
        if (c == '#') {
            return map();
        }
        if (c == '<') {
            return binary();
        }
        if (c == '"') {
            return term::list(codes(quoted('"')));
        }
        if (c == '\'') {
            return term{atom(utf8(quoted('\'')))};
        }
        if (c == '$') {
            ++at_;
            return term{static_cast<std::int64_t>(character())};
        }
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c)) != 0) {
            return number();
        }
        if (std::isalpha(static_cast<unsigned char>(c)) != 0) {
            return name_or_call();
        }
        throw unsupported{};
    }

    std::vector<term> sequence(char close) {
        std::vector<term> items;
        skip_space();
        if (peek() == close) {
            ++at_;
            return items;
        }
        for (;;) {
            items.push_back(expression());
            skip_space();
            const char c = next();
            if (c == close) {
                return items;
            }
            if (c != ',') {
                throw unsupported{};
            }
        }
    }

    term list() {
        ++at_;
        std::vector<term> items;
        skip_space();
        if (peek() == ']') {
            ++at_;
            return term{};
        }
        for (;;) {
            items.push_back(expression());
            skip_space();
            const char c = next();
            if (c == ']') {
                return term::list(std::move(items));
            }
            if (c == '|') {
                term tail = expression();
                skip_space();
                expect(']');
                return term::list(std::move(items), std::move(tail));
            }
            if (c != ',') {
                throw unsupported{};
            }
        }
    }

    term map() {
        ++at_;
        expect('{');
        std::vector<std::pair<term, term>> entries;
        skip_space();
        if (peek() == '}') {
            ++at_;
            return term::map({});
        }
        for (;;) {
            term key = expression();
            skip_space();
            expect('=');
            expect('>');
            term value = expression();
            entries.emplace_back(std::move(key), std::move(value));
            skip_space();
            const char c = next();
            if (c == '}') {
                return term::map(std::move(entries));
            }
            if (c != ',') {
                throw unsupported{};
            }
        }
    }

    term binary() {
        ++at_;
        expect('<');
        bit_builder bits;
        skip_space();
        if (peek() == '>') {
            expect('>');
            expect('>');
            return bits.build();
        }
        for (;;) {
            skip_space();
            if (peek() == '"') {
                for (const std::uint32_t code : quoted('"')) {
                    bits.append(code, 8);
                }
            } else {
                const term value = number();
                std::size_t size = 8;
                skip_space();
                if (peek() == ':') {
                    ++at_;
                    size = static_cast<std::size_t>(*number().to_int64());
                }
                bits.append(static_cast<std::uint64_t>(*value.to_int64()), size);
            }
            skip_space();
            const char c = next();
            if (c == '>') {
                expect('>');
                return bits.build();
            }
            if (c != ',') {
                throw unsupported{};
            }
        }
    }

    term number() {
        skip_space();
        const bool negative = peek() == '-';
        if (negative) {
            ++at_;
        }
        const std::size_t start = at_;
        while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_])) != 0) {
            ++at_;
        }
        if (at_ == start) {
            throw unsupported{};
        }
        if (peek() != '.' || at_ + 1 >= text_.size() ||
            std::isdigit(static_cast<unsigned char>(text_[at_ + 1])) == 0) {
            return integer_from_decimal(text_.substr(start, at_ - start), negative);
        }
        ++at_;
        while (at_ < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[at_])) != 0 || text_[at_] == 'e' ||
                ((text_[at_] == '-' || text_[at_] == '+') && text_[at_ - 1] == 'e'))) {
            ++at_;
        }
        // strtod, not stod: a subnormal such as 5.0e-324 is a value, not an error.
        const std::string digits(text_.substr(start, at_ - start));
        const double magnitude = std::strtod(digits.c_str(), nullptr);
        return term{negative ? -magnitude : magnitude};
    }

    term name_or_call() {
        std::string name = identifier();
        if (peek() == ':') {
            ++at_;
            name += ":" + identifier();
        }
        skip_space();
        if (peek() != '(') {
            return term{atom(name)};
        }
        ++at_;
        return call(name, sequence(')'));
    }

    static term call(const std::string& name, const std::vector<term>& args) {
        if (name == "list_to_atom" && args.size() == 1) {
            std::string text;
            for (const term& code : args[0].list_elements()) {
                append_utf8(text, static_cast<std::uint32_t>(*code.to_int64()));
            }
            return term{atom(text)};
        }
        if (name == "list_to_tuple" && args.size() == 1) {
            const auto e = args[0].list_elements();
            return term::tuple({e.begin(), e.end()});
        }
        if (name == "lists:duplicate" && args.size() == 2) {
            return term::list(
                std::vector<term>(static_cast<std::size_t>(*args[0].to_int64()), args[1]));
        }
        if (name == "lists:seq" && args.size() == 2) {
            std::vector<term> items;
            for (std::int64_t i = *args[0].to_int64(); i <= *args[1].to_int64(); ++i) {
                items.emplace_back(i);
            }
            return term::list(std::move(items));
        }
        if (name == "list_to_pid" && args.size() == 1) {
            const auto n = parse_dotted(codes_to_string(args[0]), "<");
            return term{pid{atoms::nonode_at_nohost, n.at(1), n.at(2), 0}};
        }
        if (name == "list_to_ref" && args.size() == 1) {
            const auto n = parse_dotted(codes_to_string(args[0]), "#Ref<");
            reference r{atoms::nonode_at_nohost, 0, static_cast<std::uint32_t>(n.size() - 1), {}};
            for (std::size_t i = 1; i < n.size(); ++i) {
                r.id.at(n.size() - 1 - i) = n[i]; // printed most significant first
            }
            return term{r};
        }
        if (name == "Pid" && args.size() == 4) {
            return term{pid{args[0].as_atom(),
                            static_cast<std::uint32_t>(*args[1].to_int64()),
                            static_cast<std::uint32_t>(*args[2].to_int64()),
                            static_cast<std::uint32_t>(*args[3].to_int64())}};
        }
        if (name == "Ref" && args.size() == 3) {
            const auto words = args[2].list_elements();
            reference r{args[0].as_atom(),
                        static_cast<std::uint32_t>(*args[1].to_int64()),
                        static_cast<std::uint32_t>(words.size()),
                        {}};
            for (std::size_t i = 0; i < words.size(); ++i) {
                r.id.at(i) = static_cast<std::uint32_t>(*words[i].to_int64());
            }
            return term{r};
        }
        throw unsupported{};
    }

    std::string identifier() {
        const std::size_t start = at_;
        while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) != 0 ||
                                      text_[at_] == '_' || text_[at_] == '@')) {
            ++at_;
        }
        return std::string(text_.substr(start, at_ - start));
    }

    // The codes between `quote`s, escapes resolved.
    std::vector<std::uint32_t> quoted(char quote) {
        expect(quote);
        std::vector<std::uint32_t> out;
        while (peek() != quote) {
            out.push_back(character());
        }
        ++at_;
        return out;
    }

    std::uint32_t character() {
        const char c = next();
        if (c != '\\') {
            return static_cast<unsigned char>(c);
        }
        const char e = next();
        if (e == 'x' && peek() == '{') {
            ++at_;
            std::uint32_t code = 0;
            while (peek() != '}') {
                code = code * 16 + hex_digit(next());
            }
            ++at_;
            return code;
        }
        if (e == 'n') {
            return '\n';
        }
        return static_cast<unsigned char>(e);
    }

    static std::uint32_t hex_digit(char c) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            return static_cast<std::uint32_t>(c - '0');
        }
        return static_cast<std::uint32_t>(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    }

    static std::vector<term> codes(const std::vector<std::uint32_t>& codes) {
        std::vector<term> items;
        for (const std::uint32_t code : codes) {
            items.emplace_back(static_cast<std::int64_t>(code));
        }
        return items;
    }

    static std::string utf8(const std::vector<std::uint32_t>& codes) {
        std::string text;
        for (const std::uint32_t code : codes) {
            append_utf8(text, code);
        }
        return text;
    }

    void skip_space() {
        while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_])) != 0) {
            ++at_;
        }
    }

    [[nodiscard]] char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }

    char next() {
        if (at_ >= text_.size()) {
            throw unsupported{};
        }
        return text_[at_++];
    }

    void expect(char c) {
        if (next() != c) {
            throw unsupported{};
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

} // namespace

std::optional<term> parse_erlang(std::string_view text) {
    try {
        return reader(text).whole();
    } catch (const unsupported&) {
        return std::nullopt;
    }
}

} // namespace rill::test
