// Properties of the codec over generated terms (tests/unit/core's
// generators): decoding what was encoded gives the same term, =:=; the
// encoding is canonical (encoding the decoded term gives the same bytes);
// compression and shared buffers change neither.

#include <rill/dist/etf.hpp>

#include "unit/core/term_generators.hpp"

#include <gtest/gtest.h>

#include <rapidcheck/gtest.h>

namespace rill {
namespace {

RC_GTEST_PROP(EtfProperty, DecodingAnEncodedTermGivesAnExactlyEqualTerm, ()) {
    const term t = *test::gen_term(4);

    const auto bytes = etf::encode(t);
    const term back = etf::decode(bytes);

    RC_ASSERT(exactly_equal(back, t));
    RC_ASSERT(etf::encode(back) == bytes);
}

RC_GTEST_PROP(EtfProperty, CompressionDoesNotChangeTheDecodedTerm, ()) {
    const term t = *test::gen_term(4);
    const int level = *rc::gen::inRange(0, 10);

    const auto bytes = etf::encode(t, {.compressed = true, .compression_level = level});

    RC_ASSERT(exactly_equal(etf::decode(bytes), t));
    RC_ASSERT(bytes.size() <= etf::encode(t).size());
}

RC_GTEST_PROP(EtfProperty, DecodingFromASharedBufferGivesTheSameTerm, ()) {
    const term t = *test::gen_term(4);

    const term back = etf::decode(etf::shared_bytes::adopt(etf::encode(t)));

    RC_ASSERT(exactly_equal(back, t));
}

} // namespace
} // namespace rill
