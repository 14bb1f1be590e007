#include "export/ExportGraph.h"

#include "common/Error.h"
#include "models/Hardswish.h"
#include "models/PooledClassifier.h"
#include "models/ResNet.h"
#include "models/ResidualBranch.h"
#include "models/SqueezeExcitation.h"
#include "models/TinyNet.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

namespace graft {
namespace {

std::string childPath(const std::string& path, const std::string& name) { return path.empty() ? name : path + "." + name; }

torch::nn::Module& child(torch::nn::Module& module, const std::string& name) { return *module.named_children()[name]; }

// Dispatches each module to the graph's operations.
class ModuleWriter {
public:
    explicit ModuleWriter(ExportGraph& graph) : graph_(graph) {}

    std::string write(const std::string& path, torch::nn::Module& module, const std::string& x) {
        if (auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(&module)) return convolution(path, *conv, x);
        if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(&module)) {
            if (!norm->options.affine() || !norm->options.track_running_stats())
                throw Error("export needs the BatchNorm at '" + path + "' to be affine with running statistics");
            return graph_.batchNorm(path, norm->weight, norm->bias, norm->running_mean, norm->running_var,
                                    norm->options.eps(), x);
        }
        if (auto* linear = dynamic_cast<torch::nn::LinearImpl*>(&module))
            return graph_.linear(path, linear->weight, linear->bias, x);
        if (auto* pool = dynamic_cast<torch::nn::MaxPool2dImpl*>(&module))
            return graph_.maxPool(x, *pool->options.kernel_size(), *pool->options.stride(), *pool->options.padding(),
                                  *pool->options.dilation(), pool->options.ceil_mode());
        if (dynamic_cast<torch::nn::ReLUImpl*>(&module)) return graph_.relu(x);
        if (dynamic_cast<torch::nn::ReLU6Impl*>(&module)) return graph_.clamp(x, 0.0, 6.0);
        if (dynamic_cast<HardswishImpl*>(&module)) return graph_.hardswish(x);
        if (dynamic_cast<torch::nn::SiLUImpl*>(&module)) return graph_.silu(x);
        if (auto* squeeze = dynamic_cast<SqueezeExcitationImpl*>(&module)) return squeezeExcitation(path, *squeeze, x);
        if (dynamic_cast<torch::nn::DropoutImpl*>(&module)) return x; // inference
        if (dynamic_cast<BasicBlockImpl*>(&module)) return residualBlock(path, module, x, 2);
        if (dynamic_cast<BottleneckImpl*>(&module)) return residualBlock(path, module, x, 3);
        if (auto* block = dynamic_cast<ResidualBranch*>(&module)) {
            const auto branch = block->branchChild();
            const auto output = write(childPath(path, branch), child(module, branch), x);
            return block->residual() ? graph_.add(output, x) : output;
        }
        if (dynamic_cast<torch::nn::SequentialImpl*>(&module)) {
            std::string value = x;
            for (const auto& item : module.named_children()) value = write(childPath(path, item.key()), *item.value(), value);
            return value;
        }
        throw Error("export cannot write " + friendlyType(module) + " (at '" + path + "') yet");
    }

private:
    std::string convolution(const std::string& path, torch::nn::Conv2dImpl& conv, const std::string& x) {
        // Unqualified: LibTorch 1.13's options hold c10::variant, 2.x std::variant; ADL finds either.
        const auto* padding = get_if<torch::ExpandingArray<2>>(&conv.options.padding());
        if (!padding || !holds_alternative<torch::enumtype::kZeros>(conv.options.padding_mode()))
            throw Error("export cannot write the padding of the convolution at '" + path + "' yet");
        return graph_.conv2d(path, conv.weight, conv.bias, *conv.options.stride(), **padding, *conv.options.dilation(),
                             conv.options.groups(), x);
    }

    // Channels scaled by gate(fc2(act(fc1(spatial mean)))).
    std::string squeezeExcitation(const std::string& path, SqueezeExcitationImpl& block, const std::string& x) {
        const bool mobileNet = block.style() == SqueezeExcitationImpl::Style::ReluHardSigmoid;
        auto scale = write(childPath(path, "fc1"), child(block, "fc1"), graph_.spatialMean(x));
        scale = mobileNet ? graph_.relu(scale) : graph_.silu(scale);
        scale = write(childPath(path, "fc2"), child(block, "fc2"), scale);
        scale = mobileNet ? graph_.hardSigmoid(scale) : graph_.sigmoid(scale);
        return graph_.multiply(x, scale);
    }

    // torchvision's BasicBlock (2 convs) and Bottleneck (3): conv-bn-relu..., conv-bn, + shortcut, relu.
    std::string residualBlock(const std::string& path, torch::nn::Module& block, const std::string& x, int convs) {
        std::string value = x;
        for (int i = 1; i <= convs; ++i) {
            const auto index = std::to_string(i);
            value = write(childPath(path, "conv" + index), child(block, "conv" + index), value);
            value = write(childPath(path, "bn" + index), child(block, "bn" + index), value);
            if (i < convs) value = graph_.relu(value);
        }
        std::string shortcut = x;
        const auto children = block.named_children();
        if (const auto* downsample = children.find("downsample"))
            shortcut = write(childPath(path, "downsample"), **downsample, x);
        return graph_.relu(graph_.add(value, shortcut));
    }

    ExportGraph& graph_;
};

// The model's pooled features, and the name of its head.
std::pair<std::string, std::string> writePooledFeatures(ClassifierImpl& model, ExportGraph& graph, ModuleWriter& writer) {
    const auto part = [&](const std::string& name, const std::string& x) { return writer.write(name, child(model, name), x); };
    if (dynamic_cast<TinyNetImpl*>(&model)) {
        std::string x = graph.input();
        for (const auto* stage : {"stem", "stage1", "stage2", "stage3"}) x = part(stage, x);
        return {graph.globalAveragePool(x), "head"};
    }
    if (dynamic_cast<ResNetImpl*>(&model)) {
        auto x = graph.relu(part("bn1", part("conv1", graph.input())));
        x = graph.maxPool(x, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false);
        for (const auto* layer : {"layer1", "layer2", "layer3", "layer4"}) x = part(layer, x);
        return {graph.globalAveragePool(x), "fc"};
    }
    if (dynamic_cast<PooledClassifierImpl*>(&model)) return {graph.globalAveragePool(part("features", graph.input())), "classifier"};
    throw Error("export cannot write " + friendlyType(model) + " yet");
}

} // namespace

std::string writeClassifier(ClassifierImpl& model, ExportGraph& graph) {
    ModuleWriter writer(graph);
    const auto [features, head] = writePooledFeatures(model, graph, writer);
    return writer.write(head, child(model, head), features);
}

std::string writeFeatures(ClassifierImpl& model, ExportGraph& graph) {
    ModuleWriter writer(graph);
    return writePooledFeatures(model, graph, writer).first;
}

} // namespace graft
