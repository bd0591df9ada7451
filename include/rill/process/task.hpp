#pragma once

/// \file
/// `rill::task<T>`: the coroutine type of process bodies and of the helpers a
/// process awaits.
///
/// A task starts suspended and runs when awaited (or, for a process body,
/// when the scheduler first runs the process). Awaiting a task transfers
/// control to it symmetrically and resumes the awaiter when it finishes, on
/// the same worker thread, without going through the scheduler. An exception
/// that escapes a task is rethrown in its awaiter. Destroying a task destroys
/// its frame and, transitively, the frames of whatever it awaits: this is how
/// a killed process's locals are destroyed wherever it is suspended.
///
/// Frames come from the runtime's frame allocator (`detail::allocate_frame`).
///
/// A task awaits only rill's awaitables: other tasks, the receives, `sleep`
/// and `yield` (each says so with a nested `rill_awaitable_tag`). Anything
/// else is a compile error: a foreign awaitable would resume the coroutine
/// on a thread of its own choosing, outside the process's worker, and after
/// rill may have ended the process and freed its frame. Work done by other
/// libraries reaches a process as a message (`runtime::send` is safe from
/// any thread).

#include <coroutine>
#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace rill {

template <class T = void>
class task;

namespace detail {

/// Whether a task may `co_await` an `A`: a rill awaitable (nested
/// `rill_awaitable_tag`) or a `task`.
template <class A>
inline constexpr bool is_rill_awaitable = requires {
    typename A::rill_awaitable_tag;
};

template <class T>
inline constexpr bool is_rill_awaitable<task<T>> = true;

template <class A>
inline constexpr bool is_task = false;

template <class T>
inline constexpr bool is_task<task<T>> = true;

/// What `await_transform` gives the coroutine for a rill awaiter: the
/// awaiter itself, by address. Returning the awaiter (by reference or by
/// value) makes GCC keep a second copy of it in the coroutine frame, for
/// every co_await in the body (+40 to +80 bytes a receive, and a copy on
/// every await); a pointer costs 8 bytes and no copy. The awaiter is the
/// co_await operand's temporary, which lives until the end of the full
/// expression, across the suspension.
template <class Awaiter>
struct awaiter_ref {
    Awaiter* awaiter;

    decltype(auto) await_ready() { return awaiter->await_ready(); }

    template <class Promise>
    decltype(auto) await_suspend(std::coroutine_handle<Promise> resume_point) {
        return awaiter->await_suspend(resume_point);
    }

    decltype(auto) await_resume() { return awaiter->await_resume(); }
};

void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;

/// What every task promise shares: the awaiting coroutine and the escaped
/// exception.
class task_promise_base {
public:
    struct final_awaiter {
        static bool await_ready() noexcept { return false; }

        template <class Promise>
        static std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
            // A process's outermost task has no continuation: control goes
            // back to the worker, which finds the frame done.
            std::coroutine_handle<> next = self.promise().continuation_;
            return next ? next : std::noop_coroutine();
        }

        static void await_resume() noexcept {}
    };

    static std::suspend_always initial_suspend() noexcept { return {}; }

    static final_awaiter final_suspend() noexcept { return {}; }

    void unhandled_exception() noexcept { exception_ = std::current_exception(); }

    /// Every `co_await` in a task passes here, so only rill awaitables compile.
    template <class Awaitable>
    static decltype(auto) await_transform(Awaitable&& awaitable) noexcept {
        static_assert(is_rill_awaitable<std::remove_cvref_t<Awaitable>>,
                      "rill: a process can co_await only rill's awaitables (a task<T>, "
                      "process::receive..., sleep, yield); a foreign awaitable would resume "
                      "the process outside its worker, possibly after the process ended. "
                      "Have the other library send the process a message instead.");
        if constexpr (is_task<std::remove_cvref_t<Awaitable>>) {
            return static_cast<Awaitable&&>(awaitable); // its operator co_await makes the awaiter
        } else {
            return awaiter_ref<std::remove_reference_t<Awaitable>>{&awaitable};
        }
    }

    static void* operator new(std::size_t size) { return allocate_frame(size); }

    static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }

    void set_continuation(std::coroutine_handle<> continuation) noexcept {
        continuation_ = continuation;
    }

    [[nodiscard]] const std::exception_ptr& exception() const noexcept { return exception_; }

private:
    std::coroutine_handle<> continuation_;
    std::exception_ptr exception_;
};

template <class T>
class task_promise final : public task_promise_base {
public:
    task<T> get_return_object() noexcept;

    template <class U>
    requires std::is_convertible_v<U&&, T>

    void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        value_.emplace(std::forward<U>(value));
    }

    T take_result() {
        if (exception()) {
            std::rethrow_exception(exception());
        }
        return std::move(*value_);
    }

private:
    struct empty {};

    // std::optional would need T default-constructible on some paths; keep
    // an explicit engaged flag through the variant instead.
    class slot {
    public:
        template <class U>
        void emplace(U&& value) {
            storage_.template emplace<1>(std::forward<U>(value));
        }

        T& operator*() noexcept { return std::get<1>(storage_); }

    private:
        std::variant<empty, T> storage_;
    };

    slot value_;
};

template <>
class task_promise<void> final : public task_promise_base {
public:
    task<void> get_return_object() noexcept;

    static void return_void() noexcept {}

    void take_result() const {
        if (exception()) {
            std::rethrow_exception(exception());
        }
    }
};

} // namespace detail

template <class T>
class [[nodiscard]] task {
public:
    using promise_type = detail::task_promise<T>;
    using handle_type = std::coroutine_handle<promise_type>;

    task() noexcept = default;

    explicit task(handle_type frame) noexcept
        : frame_(frame) {}

    task(task&& other) noexcept
        : frame_(std::exchange(other.frame_, {})) {}

    task& operator=(task&& other) noexcept {
        if (this != &other) {
            reset();
            frame_ = std::exchange(other.frame_, {});
        }
        return *this;
    }

    task(const task&) = delete;
    task& operator=(const task&) = delete;

    ~task() { reset(); }

    /// Awaiting runs the task to completion and yields its result (or
    /// rethrows its exception). Resumes on the awaiting process's worker.
    auto operator co_await() && noexcept {
        struct awaiter {
            handle_type frame;

            [[nodiscard]] bool await_ready() const noexcept { return !frame || frame.done(); }

            std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
                frame.promise().set_continuation(awaiting);
                return frame;
            }

            T await_resume() { return frame.promise().take_result(); }
        };

        return awaiter{frame_};
    }

    /// Gives up ownership of the frame (the runtime takes a process body).
    handle_type release() noexcept { return std::exchange(frame_, {}); }

    [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(frame_); }

private:
    void reset() noexcept {
        if (frame_) {
            frame_.destroy();
            frame_ = {};
        }
    }

    handle_type frame_;
};

namespace detail {

template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
    return task<T>{std::coroutine_handle<task_promise<T>>::from_promise(*this)};
}

inline task<void> task_promise<void>::get_return_object() noexcept {
    return task<void>{std::coroutine_handle<task_promise<void>>::from_promise(*this)};
}

} // namespace detail

} // namespace rill
