#include "dist/connection/fragments.hpp"

#include "dist/wire/protocol_error.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace rill::dist::internal {

std::vector<outbound_frame> split_into_fragments(std::span<const std::byte> prefix,
                                                 const std::shared_ptr<const void>& owner,
                                                 std::span<const std::byte> data,
                                                 std::uint64_t sequence) {
    const std::size_t size = prefix.size() + data.size();
    const std::uint64_t count = (size + fragment_size - 1) / fragment_size;
    std::vector<outbound_frame> fragments;
    fragments.reserve(count);
    std::size_t taken = 0; // of data
    for (std::uint64_t id = count; id >= 1; --id) {
        const bool first = id == count;
        const std::size_t from_prefix = first ? prefix.size() : 0;
        const std::size_t length = std::min(fragment_size - from_prefix, data.size() - taken);
        outbound_frame fragment;
        const std::size_t header = first ? 19 : 18;
        fragment.head.reserve(4 + header + from_prefix);
        put_u32(fragment.head, static_cast<std::uint32_t>(header + from_prefix + length));
        fragment.head.push_back(etf::version_byte);
        fragment.head.push_back(first ? dist_frag_header : dist_frag_cont);
        put_u64(fragment.head, sequence);
        put_u64(fragment.head, id);
        if (first) {
            put_u8(fragment.head, 0); // no atom cache references
            fragment.head.insert(fragment.head.end(), prefix.begin(), prefix.end());
        }
        fragment.owner = owner;
        fragment.tail = data.subspan(taken, length);
        taken += length;
        fragments.push_back(std::move(fragment));
    }
    return fragments;
}

std::optional<etf::shared_bytes> fragment_assembler::feed(bytes body) {
    wire_reader in(body, "distribution header");
    if (in.u8() != 131) {
        throw protocol_error("a frame that starts with neither 'p' nor 131");
    }
    const auto kind = std::byte{in.u8()};
    if (kind == dist_header) {
        if (in.u8() != 0) {
            throw protocol_error("atom cache references, which this node did not offer");
        }
        etf::shared_bytes whole = etf::shared_bytes::adopt(std::move(body));
        whole.bytes = whole.bytes.subspan(3);
        return whole;
    }
    if (kind != dist_frag_header && kind != dist_frag_cont) {
        throw protocol_error("an unknown distribution header " +
                             std::to_string(std::to_integer<int>(kind)));
    }
    const std::uint64_t sequence = in.u64();
    const std::uint64_t id = in.u64();
    if (id == 0) {
        throw protocol_error("fragment id 0");
    }
    if (kind == dist_frag_header) {
        if (in.u8() != 0) {
            throw protocol_error("atom cache references, which this node did not offer");
        }
        if (open_.contains(sequence)) {
            throw protocol_error("fragmented message " + std::to_string(sequence) +
                                 " started twice");
        }
        if (id == 1) { // a message in one fragment
            etf::shared_bytes whole = etf::shared_bytes::adopt(std::move(body));
            whole.bytes = whole.bytes.subspan(19);
            return whole;
        }
        if (open_.size() >= max_open) {
            throw protocol_error("more than " + std::to_string(max_open) +
                                 " fragmented messages unfinished at once");
        }
        // Room for the whole message at once, as far as the bound allows
        // (charged: reservations count against it), so the fragments to
        // come are placed without moving what came before.
        const std::size_t first_data = in.remaining();
        const std::size_t needed = 19 + first_data;
        std::size_t wanted = max_buffered_; // the whole message, when it is that large
        if (first_data == 0) {
            wanted = needed;
        } else if (max_buffered_ > 19 && id <= (max_buffered_ - 19) / first_data) {
            wanted = 19 + static_cast<std::size_t>(id) * first_data;
        }
        const std::size_t capacity = std::max(needed, std::min(wanted, max_buffered_ - buffered_));
        partial started;
        started.next_id = id - 1;
        started.data = std::move(body); // kept whole: its data is not copied
        started.skip = 19;
        charge(started, capacity);
        started.data.reserve(started.charged);
        open_.emplace(sequence, std::move(started));
        return std::nullopt;
    }
    partial& going = continued(sequence, id);
    charge(going, going.data.size() + body.size() - 18);
    going.data.insert(going.data.end(), body.begin() + 18, body.end());
    return finish_continuation(sequence);
}

std::span<std::byte> fragment_assembler::begin_continuation(std::span<const std::byte> header,
                                                            std::size_t data_size,
                                                            std::uint64_t& sequence) {
    wire_reader in(header, "fragment header");
    if (in.u8() != 131 || std::byte{in.u8()} != dist_frag_cont) {
        throw protocol_error("a continuation fragment without its header");
    }
    sequence = in.u64();
    partial& going = continued(sequence, in.u64());
    const std::size_t size = going.data.size();
    charge(going, size + data_size);
    going.data.resize(size + data_size);
    return std::span<std::byte>(going.data).subspan(size);
}

std::optional<etf::shared_bytes> fragment_assembler::finish_continuation(std::uint64_t sequence) {
    const auto found = open_.find(sequence);
    partial& going = found->second;
    if (going.next_id > 1) {
        --going.next_id;
        return std::nullopt;
    }
    return finish(found);
}

fragment_assembler::partial& fragment_assembler::continued(std::uint64_t sequence,
                                                           std::uint64_t id) {
    const auto found = open_.find(sequence);
    if (found == open_.end()) {
        throw protocol_error("a fragment of message " + std::to_string(sequence) +
                             ", which was never started");
    }
    if (id != found->second.next_id) {
        throw protocol_error("fragment " + std::to_string(id) + " of message " +
                             std::to_string(sequence) + " where " +
                             std::to_string(found->second.next_id) + " was due");
    }
    return found->second;
}

void fragment_assembler::charge(partial& p, std::size_t size) {
    if (size <= p.charged) {
        return;
    }
    const std::size_t more = size - p.charged;
    if (more > max_buffered_ - buffered_) {
        throw protocol_error("fragmented messages of more than " + std::to_string(max_buffered_) +
                             " bytes in all");
    }
    buffered_ += more;
    p.charged = size;
}

std::optional<etf::shared_bytes>
fragment_assembler::finish(std::unordered_map<std::uint64_t, partial>::iterator p) {
    bytes done = std::move(p->second.data);
    const std::size_t skip = p->second.skip;
    buffered_ -= p->second.charged;
    open_.erase(p);
    etf::shared_bytes message = etf::shared_bytes::adopt(std::move(done));
    message.bytes = message.bytes.subspan(skip);
    return message;
}

} // namespace rill::dist::internal
