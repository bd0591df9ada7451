// Printing terms in Erlang syntax, as io:format("~p", [T]) prints them on
// one line (io_lib_pretty without line breaks), latin-1 string detection:
//   - a proper list of printable latin-1 codes prints as "abc";
//   - a binary of printable latin-1 bytes as <<"abc">>, else <<1,2,3>>;
//     a bitstring as <<1,2:3>> (the last, partial byte's value and bits);
//   - maps as #{k => v,...} in map-key order;
//   - funs and ports (only ever received from other nodes) are decoded just
//     enough from their external format to print #Fun<m.i.u>, fun m:f/a and
//     #Port<node.id>; pids and references print through their own printers.
// Output is UTF-8 (see core/erlang_syntax.hpp). The walk is iterative, so
// nesting depth costs heap, not the C++ stack; bounded printing
// (`to_string(t, max_chars)`, used by every error message) stops at its
// limit and does not convert huge integers to decimal.

#include <rill/core/term.hpp>

#include "core/erlang_syntax.hpp"
#include "core/small_stack.hpp"
#include "core/term_nodes.hpp"

#include <ostream>
#include <string>

namespace rill {

namespace {

using internal::term_access;

// A cursor over external-term-format bytes; any read past the end fails it.
class ext_reader {
public:
    explicit ext_reader(std::span<const std::byte> bytes)
        : bytes_(bytes) {}

    [[nodiscard]] bool ok() const noexcept { return ok_; }

    std::uint64_t read_uint(std::size_t size) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < size; ++i) {
            value = (value << 8U) | byte();
        }
        return value;
    }

    void skip(std::size_t size) {
        if (!ok_ || bytes_.size() - position_ < size) {
            ok_ = false;
            return;
        }
        position_ += size;
    }

    // An atom in any of its encodings; empty (and failed) otherwise.
    std::string read_atom() {
        const std::uint64_t tag = byte();
        std::size_t length = 0;
        if (tag == 100 || tag == 118) { // ATOM_EXT, ATOM_UTF8_EXT
            length = static_cast<std::size_t>(read_uint(2));
        } else if (tag == 115 || tag == 119) { // SMALL_ATOM_EXT, SMALL_ATOM_UTF8_EXT
            length = static_cast<std::size_t>(read_uint(1));
        } else {
            ok_ = false;
            return {};
        }
        std::string name;
        for (std::size_t i = 0; i < length && ok_; ++i) {
            name.push_back(static_cast<char>(byte()));
        }
        return name;
    }

    // A small integer (SMALL_INTEGER_EXT or INTEGER_EXT).
    std::int64_t read_small_integer() {
        const std::uint64_t tag = byte();
        if (tag == 97) {
            return static_cast<std::int64_t>(read_uint(1));
        }
        if (tag == 98) {
            return static_cast<std::int32_t>(static_cast<std::uint32_t>(read_uint(4)));
        }
        ok_ = false;
        return 0;
    }

private:
    std::uint8_t byte() {
        if (!ok_ || position_ >= bytes_.size()) {
            ok_ = false;
            return 0;
        }
        return std::to_integer<std::uint8_t>(bytes_[position_++]);
    }

    std::span<const std::byte> bytes_;
    std::size_t position_ = 0;
    bool ok_ = true;
};

void append_node_name(std::string& out, const std::string& node) {
    const atom local = detail::local_node_of_this_thread();
    if (node == atoms::nonode_at_nohost.name() || node == local.name()) {
        out += '0';
    } else {
        out += node;
    }
}

void append_fun(std::string& out, std::span<const std::byte> bytes) {
    ext_reader in(bytes);
    const std::uint64_t tag = in.read_uint(1);
    std::string text;
    if (tag == 113) { // EXPORT_EXT: Module Function Arity
        const std::string module = in.read_atom();
        const std::string function = in.read_atom();
        const std::int64_t arity = in.read_small_integer();
        text = "fun ";
        internal::append_atom(text, module);
        text += ':';
        internal::append_atom(text, function);
        text += '/' + std::to_string(arity);
    } else if (tag == 112) { // NEW_FUN_EXT: Size Arity Uniq Index NumFree Module OldIndex OldUniq
        in.skip(4 + 1 + 16 + 4 + 4);
        const std::string module = in.read_atom();
        const std::int64_t old_index = in.read_small_integer();
        const std::int64_t old_uniq = in.read_small_integer();
        text = "#Fun<" + module + '.' + std::to_string(old_index) + '.' + std::to_string(old_uniq) +
               '>';
    } else {
        in.skip(bytes.size() + 1); // unknown encoding
    }
    out += in.ok() ? text : "#Fun<>";
}

void append_port(std::string& out, std::span<const std::byte> bytes) {
    ext_reader in(bytes);
    const std::uint64_t tag = in.read_uint(1);
    const std::string node = in.read_atom();
    std::uint64_t id = 0;
    if (tag == 102 || tag == 89) { // PORT_EXT, NEW_PORT_EXT
        id = in.read_uint(4);
    } else if (tag == 120) { // V4_PORT_EXT
        id = in.read_uint(8);
    } else {
        in.skip(bytes.size() + 1);
    }
    if (!in.ok()) {
        out += "#Port<>";
        return;
    }
    out += "#Port<";
    append_node_name(out, node);
    out += '.' + std::to_string(id) + '>';
}

bool is_printable_string(std::span<const term> elements) noexcept {
    for (const term& element : elements) {
        const auto code = element.to_int64();
        if (!code || *code < 0 ||
            !internal::is_printable_latin1(static_cast<std::uint32_t>(*code))) {
            return false;
        }
    }
    return true;
}

// Where printing stops: once the output is longer than `limit`, the
// printer cuts it to `limit` characters, adds "..." and returns. Unbounded
// printing has the largest limit.
struct budget {
    std::size_t limit;

    [[nodiscard]] bool spent(const std::string& out) const noexcept { return out.size() > limit; }
};

void append_bitstring(std::string& out, const internal::binary_node& node, const budget& b) {
    const auto& bytes = node.bytes;
    const bool whole = node.bits_in_last_byte == 8;
    out += "<<";
    if (whole && !bytes.empty() && std::all_of(bytes.begin(), bytes.end(), [](std::byte byte) {
            return internal::is_printable_latin1(std::to_integer<std::uint32_t>(byte));
        })) {
        out.push_back('"');
        for (std::byte byte : bytes) {
            internal::append_quoted_char(out, std::to_integer<std::uint32_t>(byte), '"');
            if (b.spent(out)) {
                return;
            }
        }
        out.push_back('"');
    } else {
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            if (b.spent(out)) {
                return;
            }
            if (i != 0) {
                out.push_back(',');
            }
            const auto value = std::to_integer<unsigned>(bytes[i]);
            if (i + 1 == bytes.size() && !whole) {
                out += std::to_string(value >> (8U - node.bits_in_last_byte));
                out += ':' + std::to_string(node.bits_in_last_byte);
            } else {
                out += std::to_string(value);
            }
        }
    }
    out += ">>";
}

// A big integer longer than this many bits (about 1,200 digits) is not
// converted to decimal by bounded printing: it says how long it is instead.
constexpr std::size_t max_bounded_integer_bits = 4096;

void append_big_integer(std::string& out, const internal::big_integer& value, const budget& b) {
    const std::size_t bits = value.bit_length();
    if (b.limit != std::string::npos && bits > max_bounded_integer_bits) {
        out += value.is_negative() ? "-<integer of " : "<integer of ";
        out += std::to_string(bits) + " bits>";
        return;
    }
    out += value.to_string();
}

// The elements of a tuple, list or map still to print. Map entries are a
// run of key, value, key, value... with " => " and "," between them; an
// improper list's tail follows its elements after '|'. A run leaves the
// stack as its last element is taken; its closing bracket then waits on
// the stack of closers, one byte a level, above `closers_mark`.
struct pending_run {
    const term* next = nullptr;
    std::size_t left = 0;
    const term* tail = nullptr;
    std::size_t closers_mark = 0;
    char close = 0;
    bool map_entries = false;
    bool first = true;
    bool in_tail = false;
};

struct print_stacks {
    internal::small_stack<pending_run, 16> runs;
    std::string closers; // brackets still to close, innermost last
};

static_assert(sizeof(std::pair<term, term>) == 2 * sizeof(term),
              "map entries are walked as an array of terms");

void push_run(print_stacks& stacks, pending_run run) {
    run.closers_mark = stacks.closers.size();
    stacks.runs.push_back(run);
}

// Appends a leaf, or a container's opening and pushes the run of its elements.
void append_one(std::string& out, const term& t, const budget& b, print_stacks& stacks) {
    switch (t.type()) {
    case term::kind::integer:
        if (term_access::is_boxed(t)) {
            append_big_integer(out, term_access::as<internal::big_integer_node>(t).value, b);
        } else {
            out += std::to_string(term_access::small_integer(t));
        }
        return;
    case term::kind::float_:
        internal::append_float(out, term_access::float_value(t));
        return;
    case term::kind::atom:
        internal::append_atom(out, t.as_atom().name());
        return;
    case term::kind::reference:
        out += to_string(t.as_reference());
        return;
    case term::kind::fun:
        append_fun(out, t.opaque_bytes());
        return;
    case term::kind::port:
        append_port(out, t.opaque_bytes());
        return;
    case term::kind::pid:
        out += to_string(t.as_pid());
        return;
    case term::kind::tuple: {
        const auto elements = t.elements();
        if (elements.empty()) {
            out += "{}";
            return;
        }
        out.push_back('{');
        push_run(stacks, {.next = elements.data(), .left = elements.size(), .close = '}'});
        return;
    }
    case term::kind::map: {
        const auto entries = t.map_entries();
        if (entries.empty()) {
            out += "#{}";
            return;
        }
        out += "#{";
        push_run(stacks,
                 {.next = &entries[0].first,
                  .left = 2 * entries.size(),
                  .close = '}',
                  .map_entries = true});
        return;
    }
    case term::kind::nil:
        out += "[]";
        return;
    case term::kind::list: {
        const auto elements = t.list_elements();
        const term& tail = t.list_tail();
        if (tail.is_nil() && is_printable_string(elements)) {
            out.push_back('"');
            for (const term& element : elements) {
                internal::append_quoted_char(
                    out, static_cast<std::uint32_t>(*element.to_int64()), '"');
                if (b.spent(out)) {
                    return;
                }
            }
            out.push_back('"');
            return;
        }
        out.push_back('[');
        push_run(stacks,
                 {.next = elements.data(),
                  .left = elements.size(),
                  .tail = tail.is_nil() ? nullptr : &tail,
                  .close = ']'});
        return;
    }
    case term::kind::binary:
        append_bitstring(out, term_access::as<internal::binary_node>(t), b);
        return;
    case term::kind::local:
        out += "#Local<" + t.local_type_name() + '>';
        return;
    }
}

void close_down_to(std::string& out, std::string& closers, std::size_t mark) {
    while (closers.size() > mark) {
        out.push_back(closers.back());
        closers.pop_back();
    }
}

// Prints depth first with explicit stacks, so nesting depth costs heap (a
// byte a level for a plain nest), not the C++ stack.
void append_term(std::string& out, const term& t, const budget& b) {
    print_stacks stacks;
    append_one(out, t, b, stacks);
    while (!stacks.runs.empty() && !b.spent(out)) {
        pending_run& run = stacks.runs.back();
        close_down_to(out, stacks.closers, run.closers_mark);
        if (!run.first) {
            // In a map, entries alternate key, value: " => " before a value.
            out += run.in_tail ? "|" : (run.map_entries && run.left % 2 == 1 ? " => " : ",");
        }
        run.first = false;
        const term& next = *run.next;
        ++run.next;
        if (--run.left == 0) {
            if (run.tail != nullptr) {
                run.next = run.tail;
                run.left = 1;
                run.tail = nullptr;
                run.in_tail = true;
            } else {
                stacks.closers.push_back(run.close);
                stacks.runs.pop_back();
            }
        }
        append_one(out, next, b, stacks);
    }
    if (!b.spent(out)) {
        close_down_to(out, stacks.closers, 0);
    }
    if (b.spent(out)) {
        out.resize(b.limit);
        out += "...";
    }
}

} // namespace

std::string to_string(const term& t) {
    std::string out;
    append_term(out, t, budget{std::string::npos});
    return out;
}

std::string to_string(const term& t, std::size_t max_chars) {
    std::string out;
    append_term(out, t, budget{max_chars});
    return out;
}

std::ostream& operator<<(std::ostream& out, const term& t) {
    return out << to_string(t);
}

} // namespace rill
