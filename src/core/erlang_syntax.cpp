// Erlang printed syntax, after lib/stdlib/src/io_lib.erl (write_atom,
// quote_atom, write_char escapes, printable_latin1_list) and
// io_lib_format:fwrite_g for floats. Expectations in
// tests/unit/core/term_print_test.cpp come from a real Erlang/OTP 25.

#include "core/erlang_syntax.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <system_error>

namespace rill::internal {

namespace {

// Decodes UTF-8 `text` into code points; empty when it is not valid UTF-8
// (the name is then taken as latin-1 bytes).
bool decode_utf8(std::string_view text, std::u32string& out) {
    out.clear();
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t code = 0;
        if (lead < 0x80) {
            code = lead;
        } else if ((lead & 0xE0U) == 0xC0) {
            extra = 1;
            code = lead & 0x1FU;
        } else if ((lead & 0xF0U) == 0xE0) {
            extra = 2;
            code = lead & 0x0FU;
        } else if ((lead & 0xF8U) == 0xF0) {
            extra = 3;
            code = lead & 0x07U;
        } else {
            return false;
        }
        if (i + extra >= text.size()) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0U) != 0x80) {
                return false;
            }
            code = (code << 6U) | (next & 0x3FU);
        }
        if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) ||
            (extra == 3 && (code < 0x10000 || code > 0x10FFFF))) {
            return false;
        }
        out.push_back(static_cast<char32_t>(code));
        i += extra + 1;
    }
    return true;
}

std::u32string atom_chars(std::string_view name) {
    std::u32string chars;
    if (!decode_utf8(name, chars)) {
        chars.clear();
        for (char c : name) {
            chars.push_back(static_cast<unsigned char>(c));
        }
    }
    return chars;
}

bool is_latin1_lower(std::uint32_t c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7);
}

bool is_latin1_upper(std::uint32_t c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

bool is_atom_char(std::uint32_t c) noexcept {
    return is_latin1_lower(c) || is_latin1_upper(c) || (c >= '0' && c <= '9') || c == '_' ||
           c == '@';
}

// erl_scan:reserved_word/1 of OTP 25 (`maybe` and `else` are not reserved there).
bool is_reserved_word(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 27> words = {
        "after", "and",  "andalso", "band",   "begin",   "bnot", "bor", "bsl",  "bsr",
        "bxor",  "case", "catch",   "cond",   "div",     "end",  "fun", "if",   "let",
        "not",   "of",   "or",      "orelse", "receive", "rem",  "try", "when", "xor"};
    return std::find(words.begin(), words.end(), name) != words.end();
}

} // namespace

bool atom_needs_quotes(std::string_view name) noexcept {
    const std::u32string chars = atom_chars(name);
    if (chars.empty() || !is_latin1_lower(chars.front())) {
        return true;
    }
    if (!std::all_of(chars.begin(), chars.end(), [](char32_t c) { return is_atom_char(c); })) {
        return true;
    }
    return is_reserved_word(name);
}

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

bool is_printable_latin1(std::uint32_t code) noexcept {
    return (code >= 32 && code <= 126) || (code >= 160 && code <= 255) || code == '\n' ||
           code == '\r' || code == '\t' || code == '\v' || code == '\b' || code == '\f' ||
           code == 27;
}

void append_quoted_char(std::string& out, std::uint32_t code, char quote) {
    if (code == static_cast<unsigned char>(quote) || code == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(code));
        return;
    }
    if ((code >= 32 && code <= 126) || (code >= 160 && code <= 255)) {
        append_utf8(out, code);
        return;
    }
    switch (code) {
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    case '\v':
        out += "\\v";
        return;
    case '\b':
        out += "\\b";
        return;
    case '\f':
        out += "\\f";
        return;
    case 27:
        out += "\\e";
        return;
    case 127:
        out += "\\d";
        return;
    default:
        break;
    }
    if (code < 160) {
        out.push_back('\\');
        out.push_back(static_cast<char>('0' + ((code >> 6U) & 7U)));
        out.push_back(static_cast<char>('0' + ((code >> 3U) & 7U)));
        out.push_back(static_cast<char>('0' + (code & 7U)));
        return;
    }
    std::array<char, 8> hex{};
    const auto result = std::to_chars(hex.data(), hex.data() + hex.size(), code, 16);
    out += "\\x{";
    for (const char* p = hex.data(); p != result.ptr; ++p) {
        out.push_back(*p >= 'a' && *p <= 'f' ? static_cast<char>(*p - 'a' + 'A') : *p);
    }
    out.push_back('}');
}

void append_atom(std::string& out, std::string_view name) {
    if (!atom_needs_quotes(name)) {
        for (char32_t c : atom_chars(name)) {
            append_utf8(out, c);
        }
        return;
    }
    out.push_back('\'');
    for (char32_t c : atom_chars(name)) {
        append_quoted_char(out, c, '\'');
    }
    out.push_back('\'');
}

void append_float(std::string& out, double value) {
    if (value == 0.0) {
        out += std::signbit(value) ? "-0.0" : "0.0";
        return;
    }
    // Shortest round-trip digits and their decimal exponent, from to_chars
    // in scientific form: d[.ddd]e±XX.
    std::array<char, 64> buffer{};
    const auto result = std::to_chars(buffer.data(),
                                      buffer.data() + buffer.size(),
                                      std::abs(value),
                                      std::chars_format::scientific);
    const std::string_view text(buffer.data(),
                                static_cast<std::size_t>(result.ptr - buffer.data()));
    const std::size_t e_pos = text.find('e');
    std::string digits;
    for (char c : text.substr(0, e_pos)) {
        if (c != '.') {
            digits.push_back(c);
        }
    }
    const int exponent = std::atoi(std::string(text.substr(e_pos + 1)).c_str());
    const auto length = static_cast<int>(digits.size());

    std::string scientific;
    scientific.push_back(digits[0]);
    scientific.push_back('.');
    scientific += length == 1 ? std::string("0") : digits.substr(1);
    scientific += 'e';
    scientific += std::to_string(exponent);

    std::string fixed;
    if (exponent < 0) {
        fixed = "0.";
        fixed.append(static_cast<std::size_t>(-exponent - 1), '0');
        fixed += digits;
    } else if (exponent + 1 >= length) {
        fixed = digits;
        fixed.append(static_cast<std::size_t>(exponent) + 1 - static_cast<std::size_t>(length),
                     '0');
        fixed += ".0";
    } else {
        fixed = digits.substr(0, static_cast<std::size_t>(exponent) + 1);
        fixed += '.';
        fixed += digits.substr(static_cast<std::size_t>(exponent) + 1);
    }

    if (std::signbit(value)) {
        out.push_back('-');
    }
    constexpr double two_to_53 = 9007199254740992.0;
    const bool use_fixed = fixed.size() <= scientific.size() && std::abs(value) < two_to_53;
    out += use_fixed ? fixed : scientific;
}

} // namespace rill::internal
