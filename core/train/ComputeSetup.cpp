#include "train/ComputeSetup.h"

#include "common/Error.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <thread>

namespace graft {

void useAllCores() {
    const unsigned cores = std::thread::hardware_concurrency();
    if (cores > 0 && torch::get_num_threads() != int(cores)) torch::set_num_threads(int(cores));
}

torch::Device resolveDevice(const std::string& request) {
    const bool cuda = torch::cuda::is_available();
    if (request == "cuda" && !cuda) throw Error("device 'cuda' was requested but no CUDA GPU is available");
    if (request == "cpu" || !cuda) return torch::kCPU;
    return torch::kCUDA;
}

} // namespace graft
