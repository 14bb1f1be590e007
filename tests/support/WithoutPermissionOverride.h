#pragma once

#include <exception>
#include <functional>
#include <linux/capability.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace graft::testing {

// Runs `body` on a thread that obeys file permissions even when the tests run as root (as in CI):
// the thread drops the capabilities that override them. Capabilities are per thread in Linux,
// so the rest of the process keeps them. Exceptions from `body` are rethrown here.
inline void withoutPermissionOverride(const std::function<void()>& body) {
    std::exception_ptr failure;
    std::thread thread([&] {
        try {
            __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
            __user_cap_data_struct data[2]{};
            if (syscall(SYS_capget, &header, data) != 0) throw std::runtime_error("capget failed");
            for (int capability : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER}) {
                data[0].effective &= ~(1u << capability);
                data[0].permitted &= ~(1u << capability);
            }
            if (syscall(SYS_capset, &header, data) != 0) throw std::runtime_error("capset failed");
            body();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    thread.join();
    if (failure) std::rethrow_exception(failure);
}

} // namespace graft::testing
