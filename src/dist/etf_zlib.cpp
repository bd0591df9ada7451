// zlib wrappers (see etf_zlib.hpp). Each call owns its z_stream; nothing is
// shared between calls or threads. Sizes above zlib's uInt are fed in
// chunks of at most 1 GiB.

#include "dist/etf_zlib.hpp"

#include <rill/core/errors.hpp>

#include <algorithm>
#include <new>
#include <string>
#include <utility>
#include <zlib.h>

namespace rill::internal {

namespace {

constexpr std::size_t max_chunk = std::size_t{1} << 30U;

Bytef* writable(std::byte* p) noexcept {
    return reinterpret_cast<Bytef*>(p); // NOLINT
}

Bytef* readable(const std::byte* p) noexcept {
    // zlib's next_in is not const in older headers; it never writes through it.
    return const_cast<Bytef*>(reinterpret_cast<const Bytef*>(p)); // NOLINT
}

uInt chunk(std::size_t left) noexcept {
    return static_cast<uInt>(std::min(left, max_chunk));
}

// Ends the stream whatever happens.
struct deflate_stream {
    z_stream z{};
    deflate_stream(const deflate_stream&) = delete;
    deflate_stream& operator=(const deflate_stream&) = delete;
    deflate_stream(deflate_stream&&) = delete;
    deflate_stream& operator=(deflate_stream&&) = delete;

    explicit deflate_stream(int level) {
        if (deflateInit(&z, level) != Z_OK) {
            throw std::bad_alloc();
        }
    }

    ~deflate_stream() { deflateEnd(&z); }
};

struct inflate_stream {
    z_stream z{};
    inflate_stream(const inflate_stream&) = delete;
    inflate_stream& operator=(const inflate_stream&) = delete;
    inflate_stream(inflate_stream&&) = delete;
    inflate_stream& operator=(inflate_stream&&) = delete;

    inflate_stream() {
        if (inflateInit(&z) != Z_OK) {
            throw std::bad_alloc();
        }
    }

    ~inflate_stream() { inflateEnd(&z); }
};

} // namespace

std::vector<std::byte> zlib_deflate(std::span<const std::byte> input, int level) {
    if (level < 0 || level > 9) {
        throw badarg("badarg: compression level must be 0..9, got " + std::to_string(level));
    }
    deflate_stream stream(level);
    std::vector<std::byte> out(deflateBound(&stream.z, input.size()));
    std::size_t in_done = 0;
    std::size_t out_done = 0;
    for (;;) {
        if (out_done == out.size()) {
            out.resize(out.size() * 2);
        }
        stream.z.next_in = readable(input.data() + in_done);
        stream.z.avail_in = chunk(input.size() - in_done);
        stream.z.next_out = writable(out.data() + out_done);
        stream.z.avail_out = chunk(out.size() - out_done);
        const uInt in_offered = stream.z.avail_in;
        const uInt out_offered = stream.z.avail_out;
        const bool last = in_done + in_offered == input.size();
        const int result = deflate(&stream.z, last ? Z_FINISH : Z_NO_FLUSH);
        in_done += in_offered - stream.z.avail_in;
        out_done += out_offered - stream.z.avail_out;
        if (result == Z_STREAM_END) {
            break;
        }
        if (result != Z_OK && result != Z_BUF_ERROR) {
            throw std::bad_alloc();
        }
    }
    out.resize(out_done);
    return out;
}

namespace {

// One inflate call over what is left of `input` into `room`; advances `in_done`.
// Returns zlib's result and how many bytes it wrote.
std::pair<int, std::size_t> inflate_some(inflate_stream& stream,
                                         std::span<const std::byte> input,
                                         std::size_t& in_done,
                                         std::span<std::byte> room) {
    stream.z.next_in = readable(input.data() + in_done);
    stream.z.avail_in = chunk(input.size() - in_done);
    stream.z.next_out = writable(room.data());
    stream.z.avail_out = chunk(room.size());
    const uInt in_offered = stream.z.avail_in;
    const uInt out_offered = stream.z.avail_out;
    const int result = inflate(&stream.z, Z_NO_FLUSH);
    if (result == Z_MEM_ERROR) {
        throw std::bad_alloc();
    }
    in_done += in_offered - stream.z.avail_in;
    return {result, out_offered - stream.z.avail_out};
}

} // namespace

namespace {

// After the output is full: the stream must end without another byte out.
// One byte of room tells whether more would come.
inflate_result
expect_end(inflate_stream& stream, std::span<const std::byte> input, std::size_t in_done) {
    for (;;) {
        std::byte probe{};
        const std::size_t in_before = in_done;
        const auto [result, written] = inflate_some(stream, input, in_done, {&probe, 1});
        if (written != 0) {
            return {inflate_status::too_long, 0};
        }
        if (result == Z_STREAM_END) {
            return {inflate_status::ok, in_done};
        }
        if (result == Z_DATA_ERROR || result == Z_NEED_DICT || result == Z_STREAM_ERROR) {
            return {inflate_status::corrupt, 0};
        }
        if (in_done == input.size()) {
            return {inflate_status::truncated, 0};
        }
        if (in_done == in_before) {
            return {inflate_status::corrupt, 0};
        }
    }
}

} // namespace

inflate_result zlib_inflate(std::span<const std::byte> input, std::span<std::byte> output) {
    inflate_stream stream;
    std::size_t in_done = 0;
    std::size_t out_done = 0;
    // Fill `output`; the stream may end early.
    while (out_done < output.size()) {
        const std::size_t in_before = in_done;
        const auto [result, written] =
            inflate_some(stream, input, in_done, output.subspan(out_done));
        out_done += written;
        if (result == Z_STREAM_END) {
            return out_done == output.size() ? inflate_result{inflate_status::ok, in_done}
                                             : inflate_result{inflate_status::too_short, 0};
        }
        if (result == Z_DATA_ERROR || result == Z_NEED_DICT || result == Z_STREAM_ERROR) {
            return {inflate_status::corrupt, 0};
        }
        if (in_done == input.size()) {
            return {inflate_status::truncated, 0};
        }
        if (written == 0 && in_done == in_before) {
            return {inflate_status::corrupt, 0}; // no progress with input and room left
        }
    }
    return expect_end(stream, input, in_done);
}

} // namespace rill::internal
