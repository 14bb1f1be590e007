#include "train/ComputeSetup.h"

#include "common/Error.h"
#include "train/DeviceRequest.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <thread>

namespace graft {

void useAllCores() {
    const unsigned cores = std::thread::hardware_concurrency();
    if (cores > 0 && torch::get_num_threads() != int(cores)) torch::set_num_threads(int(cores));
}

torch::Device resolveDevice(const std::string& text) {
    const auto request = DeviceRequest::parse(text);
    const auto gpus = torch::cuda::device_count();
    if (request.kind == DeviceRequest::Kind::Cpu || (request.kind == DeviceRequest::Kind::Auto && gpus == 0))
        return torch::kCPU;
    if (gpus == 0) throw Error("device '" + text + "' was requested but no CUDA GPU is available");
    if (std::size_t(request.index) >= gpus)
        throw Error("device '" + text + "' was requested but there " + (gpus == 1 ? "is 1 GPU (cuda:0)" :
                    "are " + std::to_string(gpus) + " GPUs (cuda:0 to cuda:" + std::to_string(gpus - 1) + ")"));
    return {torch::kCUDA, torch::DeviceIndex(request.index)};
}

} // namespace graft
