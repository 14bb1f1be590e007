#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace graft {

// Runs prepare(i) for i in [0, count) on every core, a window of 16 items per core at a time,
// then write(i, prepared) on the calling thread in the items' order, so what is written (and
// reported) comes out as from one thread while memory holds one window. Checks shouldContinue()
// before each write and stops when it turns false. An exception prepare throws is rethrown here,
// at its item's turn to be written. Importers read, decode and hash files with it.
template <class Prepared>
void prepareInWindows(std::size_t count, const std::function<Prepared(std::size_t)>& prepare,
                      const std::function<void(std::size_t, Prepared&)>& write, const std::function<bool()>& shouldContinue) {
    struct Slot {
        std::optional<Prepared> prepared;
        std::exception_ptr error;
    };
    const std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t window = 16 * threads;
    std::vector<Slot> slots;
    for (std::size_t begin = 0; begin < count && shouldContinue(); begin += window) {
        const std::size_t end = std::min(count, begin + window);
        slots.assign(end - begin, {});
        {
            std::vector<std::jthread> workers;
            for (std::size_t t = 0; t < threads; ++t)
                workers.emplace_back([&, t] {
                    for (std::size_t i = begin + t; i < end; i += threads) {
                        try {
                            slots[i - begin].prepared.emplace(prepare(i));
                        } catch (...) {
                            slots[i - begin].error = std::current_exception();
                        }
                    }
                });
        }
        for (std::size_t i = begin; i < end && shouldContinue(); ++i) {
            auto& slot = slots[i - begin];
            if (slot.error) std::rethrow_exception(slot.error);
            write(i, *slot.prepared);
        }
    }
}

} // namespace graft
