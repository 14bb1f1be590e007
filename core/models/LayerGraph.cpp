#include "models/LayerGraph.h"

#include "models/Architectures.h"
#include "models/Classifier.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <numeric>

namespace graft {
namespace {

namespace profiler = torch::autograd::profiler;

// FLOPs as LibTorch's profiler counts them for convolutions, matrix products and elementwise ops.
std::uint64_t profiledFlops(const std::function<void()>& work) {
    profiler::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(
        torch::profiler::impl::ProfilerState::CPU, /*report_input_shapes=*/true, /*profile_memory=*/false,
        /*with_stack=*/false, /*with_flops=*/true));
    try {
        work();
    } catch (...) {
        profiler::disableProfilerLegacy();
        throw;
    }
    std::uint64_t flops = 0;
    for (auto& thread : profiler::disableProfilerLegacy())
        for (auto& event : thread) flops += event.flops();
    return flops;
}

} // namespace

std::int64_t LayerGraph::totalParameters() const {
    return std::accumulate(blocks.begin(), blocks.end(), std::int64_t(0),
                           [](std::int64_t sum, const LayerGraphBlock& block) { return sum + block.parameters; });
}

std::uint64_t LayerGraph::totalFlops() const {
    return std::accumulate(blocks.begin(), blocks.end(), std::uint64_t(0),
                           [](std::uint64_t sum, const LayerGraphBlock& block) { return sum + block.flops; });
}

LayerGraph buildLayerGraph(const std::string& arch, int numClasses, int inputSize) {
    const auto spec = architectureSpec(arch);
    auto model = createClassifier(spec, numClasses);
    model->eval();
    torch::NoGradGuard noGrad;

    LayerGraph graph;
    graph.arch = arch;
    const int size = inputSize > 0 ? inputSize : spec.preprocess.crop;
    graph.inputShape = {spec.preprocess.channels(), size, size};
    auto x = torch::zeros({1, spec.preprocess.channels(), size, size});
    const auto parameters = model->named_parameters();
    for (auto& block : model->blocks()) {
        LayerGraphBlock entry{block.name, block.type, 0, {}, 0};
        for (const auto& parameter : parameters)
            for (const auto& prefix : block.parameterPrefixes)
                if (parameter.key().starts_with(prefix)) entry.parameters += parameter.value().numel();
        entry.flops = profiledFlops([&] { x = block.forward(x); });
        entry.outputShape.assign(x.sizes().begin() + 1, x.sizes().end());
        graph.blocks.push_back(std::move(entry));
    }
    return graph;
}

} // namespace graft
