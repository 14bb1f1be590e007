#include "train/CpuBlockCache.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <mutex>
#include <unordered_map>
#include <vector>

namespace graft {
namespace {

constexpr std::size_t kPageBytes = 4096;

class CachingCpuAllocator final : public c10::Allocator {
public:
    static CachingCpuAllocator& instance() {
        // Never destroyed: tensors freed during static destruction still come back here.
        static auto* allocator = new CachingCpuAllocator;
        return *allocator;
    }

    c10::DataPtr allocate(std::size_t bytes) const override {
        void* data = bytes >= kCachedBlockMinBytes ? takeLarge(bytes) : c10::alloc_cpu(bytes);
        return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    void enterScope() {
        std::lock_guard lock(mutex_);
        ++scopes_;
    }
    void leaveScope() {
        std::vector<void*> released;
        {
            std::lock_guard lock(mutex_);
            if (--scopes_ > 0) return;
            for (auto& [size, blocks] : waiting_)
                for (void* block : blocks) {
                    blockSizes_.erase(block);
                    released.push_back(block);
                }
            waiting_.clear();
            waitingBytes_ = 0;
        }
        for (void* block : released) c10::free_cpu(block);
    }
    CpuBlockCacheCounts counts() const {
        std::lock_guard lock(mutex_);
        return {reused_, fresh_, std::int64_t(waitingBytes_)};
    }

private:
    void* takeLarge(std::size_t bytes) const {
        // Whole pages, so that sizes a few bytes apart share their blocks.
        const std::size_t size = (bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
        {
            std::lock_guard lock(mutex_);
            if (const auto found = waiting_.find(size); found != waiting_.end() && !found->second.empty()) {
                void* block = found->second.back();
                found->second.pop_back();
                waitingBytes_ -= size;
                ++reused_;
                return block;
            }
        }
        void* block = c10::alloc_cpu(size);
        std::lock_guard lock(mutex_);
        blockSizes_[block] = size;
        ++fresh_;
        return block;
    }

    static void release(void* data) {
        auto& self = instance();
        {
            std::lock_guard lock(self.mutex_);
            if (const auto found = self.blockSizes_.find(data); found != self.blockSizes_.end()) {
                if (self.scopes_ > 0 && self.waitingBytes_ + found->second <= kCachedBlocksLimitBytes) {
                    self.waiting_[found->second].push_back(data);
                    self.waitingBytes_ += found->second;
                    return;
                }
                self.blockSizes_.erase(found);
            }
        }
        c10::free_cpu(data); // a small block (glibc's bins reuse those), or one beyond the limit
    }

    mutable std::mutex mutex_;
    mutable std::unordered_map<void*, std::size_t> blockSizes_; // every large block, in use or waiting
    mutable std::unordered_map<std::size_t, std::vector<void*>> waiting_;
    mutable std::size_t waitingBytes_ = 0;
    mutable std::int64_t reused_ = 0, fresh_ = 0;
    int scopes_ = 0;
};

} // namespace

CpuBlockCacheScope::CpuBlockCacheScope() {
    auto& allocator = CachingCpuAllocator::instance();
    static std::once_flag installed;
    std::call_once(installed, [&] { c10::SetCPUAllocator(&allocator, /*priority=*/100); });
    allocator.enterScope();
}

CpuBlockCacheScope::~CpuBlockCacheScope() { CachingCpuAllocator::instance().leaveScope(); }

CpuBlockCacheCounts cpuBlockCacheCounts() { return CachingCpuAllocator::instance().counts(); }

} // namespace graft
