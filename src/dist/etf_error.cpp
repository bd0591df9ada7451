// Names of the codec's error reasons, and the error types' constructors.

#include <rill/dist/etf_error.hpp>

#include <string>

namespace rill::etf {

std::string_view to_string(decode_errc reason) noexcept {
    switch (reason) {
    case decode_errc::truncated:
        return "truncated";
    case decode_errc::missing_version:
        return "missing_version";
    case decode_errc::trailing_bytes:
        return "trailing_bytes";
    case decode_errc::unknown_tag:
        return "unknown_tag";
    case decode_errc::atom_cache_ref:
        return "atom_cache_ref";
    case decode_errc::local_ext:
        return "local_ext";
    case decode_errc::length_exceeds_input:
        return "length_exceeds_input";
    case decode_errc::depth_limit:
        return "depth_limit";
    case decode_errc::atom_too_long:
        return "atom_too_long";
    case decode_errc::invalid_atom_utf8:
        return "invalid_atom_utf8";
    case decode_errc::atom_table_full:
        return "atom_table_full";
    case decode_errc::not_an_atom:
        return "not_an_atom";
    case decode_errc::invalid_float:
        return "invalid_float";
    case decode_errc::invalid_bitstring:
        return "invalid_bitstring";
    case decode_errc::invalid_reference:
        return "invalid_reference";
    case decode_errc::invalid_fun:
        return "invalid_fun";
    case decode_errc::duplicate_map_key:
        return "duplicate_map_key";
    case decode_errc::compressed_too_large:
        return "compressed_too_large";
    case decode_errc::invalid_compressed_data:
        return "invalid_compressed_data";
    }
    return "unknown";
}

std::string_view to_string(encode_errc reason) noexcept {
    switch (reason) {
    case encode_errc::local_term:
        return "local_term";
    case encode_errc::forged_atom:
        return "forged_atom";
    case encode_errc::too_large:
        return "too_large";
    case encode_errc::invalid_term:
        return "invalid_term";
    }
    return "unknown";
}

decode_error::decode_error(decode_errc reason, std::size_t offset, const std::string& detail)
    : std::runtime_error("etf decode error (" + std::string(to_string(reason)) + ") at byte " +
                         std::to_string(offset) + ": " + detail)
    , reason_(reason)
    , offset_(offset) {}

encode_error::encode_error(encode_errc reason, const std::string& detail)
    : badarg("etf encode error (" + std::string(to_string(reason)) + "): " + detail)
    , reason_(reason) {}

} // namespace rill::etf
