#pragma once

/// \file
/// `runnable`: what the scheduler runs. The sched layer knows nothing of
/// processes; a process control block derives from this and supplies `run`,
/// which executes one time slice and decides itself where the runnable goes
/// next (back into a run queue, parked in its mailbox, or gone).

namespace rill::internal {

class worker;

struct runnable {
    using run_function = void (*)(runnable* self, worker& on) noexcept;

    explicit runnable(run_function run_slice) noexcept
        : run(run_slice) {}

    run_function run;
};

} // namespace rill::internal
