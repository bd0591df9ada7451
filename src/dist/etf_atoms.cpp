// Atoms on the wire (see etf_atoms.hpp). Interning a new atom takes the atom
// table's insert lock; a full table is reported as a decode error, leaving
// the table as it was.

#include "dist/etf_atoms.hpp"

#include <rill/core/errors.hpp>
#include <rill/dist/etf_error.hpp>

#include "core/atom_table.hpp"
#include "core/utf8.hpp"
#include "dist/etf_tags.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace rill::internal {

namespace {

using etf::decode_errc;

std::string_view as_text(std::span<const std::byte> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; // NOLINT
}

// Latin-1 bytes as UTF-8: 0x80..0xFF become two bytes.
std::string latin1_to_utf8(std::span<const std::byte> bytes) {
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::byte b : bytes) {
        const auto code = std::to_integer<unsigned>(b);
        if (code < 0x80) {
            text.push_back(static_cast<char>(code));
        } else {
            text.push_back(static_cast<char>(0xC0U | (code >> 6U)));
            text.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
        }
    }
    return text;
}

atom intern(std::string_view name, std::size_t tag_offset) {
    try {
        return atom(name);
    } catch (const atom_table_full& e) {
        etf_reader::fail_at(tag_offset, decode_errc::atom_table_full, e.what());
    } catch (const badarg& e) {
        // Checked before: only a name the atom table rejects for a reason
        // of its own lands here.
        etf_reader::fail_at(tag_offset, decode_errc::invalid_atom_utf8, e.what());
    }
}

} // namespace

bool is_atom_tag(std::uint8_t tag) noexcept {
    return tag == etf_tag::atom_latin1 || tag == etf_tag::small_atom_latin1 ||
           tag == etf_tag::atom_utf8 || tag == etf_tag::small_atom_utf8;
}

atom read_atom_body(etf_reader& in, std::uint8_t tag, std::size_t tag_offset) {
    const bool small = tag == etf_tag::small_atom_latin1 || tag == etf_tag::small_atom_utf8;
    const std::size_t length = small ? in.u8() : in.u16();
    in.check_length(length, "atom length");
    const auto bytes = in.take(length);
    if (tag == etf_tag::atom_latin1 || tag == etf_tag::small_atom_latin1) {
        if (length > max_atom_length) {
            etf_reader::fail_at(tag_offset,
                                decode_errc::atom_too_long,
                                "a Latin-1 atom of " + std::to_string(length) + " characters");
        }
        const bool ascii = std::all_of(bytes.begin(), bytes.end(), [](std::byte b) {
            return std::to_integer<unsigned>(b) < 0x80;
        });
        return ascii ? intern(as_text(bytes), tag_offset)
                     : intern(latin1_to_utf8(bytes), tag_offset);
    }
    const auto text = as_text(bytes);
    const utf8_length_result checked = utf8_length(text);
    if (!checked.valid) {
        etf_reader::fail_at(tag_offset + (small ? 2 : 3) + checked.invalid_offset,
                            decode_errc::invalid_atom_utf8,
                            "an atom that is not well-formed UTF-8");
    }
    if (checked.code_points > max_atom_length) {
        etf_reader::fail_at(tag_offset,
                            decode_errc::atom_too_long,
                            "a UTF-8 atom of " + std::to_string(checked.code_points) +
                                " characters");
    }
    return intern(text, tag_offset);
}

atom read_atom(etf_reader& in) {
    const std::size_t tag_offset = in.position();
    const std::uint8_t tag = in.u8();
    if (is_atom_tag(tag)) {
        return read_atom_body(in, tag, tag_offset);
    }
    if (tag == etf_tag::atom_cache_ref) {
        etf_reader::fail_at(
            tag_offset, decode_errc::atom_cache_ref, "ATOM_CACHE_REF, and no atom cache is in use");
    }
    etf_reader::fail_at(tag_offset,
                        decode_errc::not_an_atom,
                        "tag " + std::to_string(tag) + " where an atom must be");
}

std::string_view wire_name(atom a) {
    const atom_table& table = atom_table::global();
    if (a.index() >= table.size()) {
        throw etf::encode_error(etf::encode_errc::forged_atom,
                                "atom index " + std::to_string(a.index()) +
                                    " names no interned atom");
    }
    return table.name(a.index());
}

void write_atom(std::vector<std::byte>& out, atom a) {
    const std::string_view name = wire_name(a);
    if (name.size() <= 255) {
        out.push_back(std::byte{etf_tag::small_atom_utf8});
        out.push_back(static_cast<std::byte>(name.size()));
    } else {
        out.push_back(std::byte{etf_tag::atom_utf8});
        out.push_back(static_cast<std::byte>(name.size() >> 8U));
        out.push_back(static_cast<std::byte>(name.size() & 0xFFU));
    }
    const auto bytes = std::as_bytes(std::span(name.data(), name.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
}

} // namespace rill::internal
