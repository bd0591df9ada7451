#include "sync/asymmetric_barrier.hpp"

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rill::internal {

namespace {

#if defined(__linux__)
long membarrier(int command) noexcept {
    return syscall(__NR_membarrier, command, 0, 0);
}

// Registration is per OS process (every runtime shares it) and cannot be
// undone, so registering once, on first use, is enough; a function-local
// static makes that thread-safe.
bool registered() noexcept {
    static const bool ok = [] {
        long supported = membarrier(MEMBARRIER_CMD_QUERY);
        return supported >= 0 && (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
               membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    }();
    return ok;
}
#endif

} // namespace

bool heavy_barrier() noexcept {
#if defined(__linux__)
    if (registered() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) {
        store_load_fence(); // and this thread's own (one TSan sees, too)
        return true;
    }
#endif
    return false;
}

} // namespace rill::internal
