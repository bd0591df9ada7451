#pragma once

// The capability flags of the distribution handshake (OTP 25's dist.hrl),
// and the sets a rill node offers and requires
// (../shared/reference/erlang-distribution.md section 5).

#include <cstdint>

namespace rill::dist::internal::dflag {

inline constexpr std::uint64_t published = 0x1;
inline constexpr std::uint64_t atom_cache = 0x2;
inline constexpr std::uint64_t extended_references = 0x4;
inline constexpr std::uint64_t dist_monitor = 0x8;
inline constexpr std::uint64_t fun_tags = 0x10;
inline constexpr std::uint64_t dist_monitor_name = 0x20;
inline constexpr std::uint64_t hidden_atom_cache = 0x40;
inline constexpr std::uint64_t new_fun_tags = 0x80;
inline constexpr std::uint64_t extended_pids_ports = 0x100;
inline constexpr std::uint64_t export_ptr_tag = 0x200;
inline constexpr std::uint64_t bit_binaries = 0x400;
inline constexpr std::uint64_t new_floats = 0x800;
inline constexpr std::uint64_t unicode_io = 0x1000;
inline constexpr std::uint64_t dist_hdr_atom_cache = 0x2000;
inline constexpr std::uint64_t small_atom_tags = 0x4000;
inline constexpr std::uint64_t utf8_atoms = 0x10000;
inline constexpr std::uint64_t map_tag = 0x20000;
inline constexpr std::uint64_t big_creation = 0x40000;
inline constexpr std::uint64_t send_sender = 0x80000;
inline constexpr std::uint64_t big_seqtrace_labels = 0x100000;
inline constexpr std::uint64_t exit_payload = 0x400000;
inline constexpr std::uint64_t fragments = 0x800000;
inline constexpr std::uint64_t handshake_23 = 0x1000000;
inline constexpr std::uint64_t unlink_id = 0x2000000;
// The OTP 25 documentation says bit 36; OTP 25's dist.hrl and runtime use
// bit 26 (the reference notes, section 5).
inline constexpr std::uint64_t mandatory_25_digest = 0x4000000;
inline constexpr std::uint64_t spawn = 1ULL << 32U;
inline constexpr std::uint64_t name_me = 1ULL << 33U;
inline constexpr std::uint64_t v4_nc = 1ULL << 34U;
inline constexpr std::uint64_t alias = 1ULL << 35U;

/// What OTP 25 requires of every peer.
inline constexpr std::uint64_t otp25_mandatory =
    extended_references | fun_tags | new_fun_tags | extended_pids_ports | export_ptr_tag |
    bit_binaries | new_floats | utf8_atoms | map_tag | big_creation | handshake_23;

/// What a rill node requires of a peer: OTP 25's set. A peer that only
/// sends MANDATORY_25_DIGEST stands for all of it.
inline constexpr std::uint64_t required = otp25_mandatory;

/// What a rill node offers: the OTP 25 mandatory set, monitors by pid and
/// by name, the new link protocol, 32-bit pid fields, SEND_SENDER, the
/// PAYLOAD_* exits, fragments, SPAWN_REQUEST (remote calls) and ALIAS_SEND
/// (process aliases). Not the atom cache (docs/distribution.md says why),
/// and PUBLISHED only for a visible node.
inline constexpr std::uint64_t offered =
    otp25_mandatory | dist_monitor | dist_monitor_name | unlink_id | mandatory_25_digest | v4_nc |
    send_sender | exit_payload | fragments | small_atom_tags | big_seqtrace_labels | spawn | alias;

/// `flags` with MANDATORY_25_DIGEST expanded into the set it stands for.
constexpr std::uint64_t expand(std::uint64_t flags) noexcept {
    return (flags & mandatory_25_digest) != 0 ? flags | otp25_mandatory : flags;
}

} // namespace rill::dist::internal::dflag
