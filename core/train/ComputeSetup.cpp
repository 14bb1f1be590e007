#include "train/ComputeSetup.h"

#include "common/Error.h"
#include "train/DeviceRequest.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>

namespace graft {

namespace {

thread_local int tCoreShare = 0; // 0: every core
std::atomic<int> gThreadLimit = 0; // 0: none

} // namespace

void useCpuCores() {
    int cores = tCoreShare > 0 ? tCoreShare : int(std::thread::hardware_concurrency());
    if (const int limit = gThreadLimit.load(); limit > 0) cores = std::min(cores, limit);
    if (cores > 0 && torch::get_num_threads() != cores) torch::set_num_threads(cores);
}

void setCpuThreadLimit(int threads) { gThreadLimit = std::max(threads, 0); }

int cpuThreadLimit() { return gThreadLimit; }

CoreShare::CoreShare(int cores) : previous_(tCoreShare) { tCoreShare = std::max(cores, 1); }

CoreShare::~CoreShare() { tCoreShare = previous_; }

torch::Device resolveDevice(const std::string& text) {
    const auto request = DeviceRequest::parse(text);
    // device_count() is size_t in LibTorch 1.13 and a signed DeviceIndex in 2.x.
    const auto gpus = std::int64_t(torch::cuda::device_count());
    if (request.kind == DeviceRequest::Kind::Cpu || (request.kind == DeviceRequest::Kind::Auto && gpus == 0))
        return torch::kCPU;
    if (gpus == 0) throw Error("device '" + text + "' was requested but no CUDA GPU is available");
    if (request.index >= gpus)
        throw Error("device '" + text + "' was requested but there " + (gpus == 1 ? "is 1 GPU (cuda:0)" :
                    "are " + std::to_string(gpus) + " GPUs (cuda:0 to cuda:" + std::to_string(gpus - 1) + ")"));
    return {torch::kCUDA, torch::DeviceIndex(request.index)};
}

std::string describeDevice(const torch::Device& device) {
    std::ostringstream text;
    text << device;
    return text.str();
}

} // namespace graft
