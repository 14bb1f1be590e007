#include "export/TorchScriptExport.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "models/MobileNetV2.h"
#include "models/PooledClassifier.h"
#include "models/ResNet.h"
#include "models/TinyNet.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>
#include <torch/script.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace graft {
namespace {

std::string floatLiteral(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    std::string literal = text;
    if (literal.find_first_of(".en") == std::string::npos) literal += ".0"; // TorchScript wants a float here
    return literal;
}

std::string intList(torch::IntArrayRef values) {
    std::string list = "[";
    for (std::size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + std::to_string(values[i]);
    return list + "]";
}

std::string childPath(const std::string& path, const std::string& name) { return path.empty() ? name : path + "." + name; }

// Writes forward() one aten op per line, each result a fresh variable, registering the weights it
// reads on the target module.
class ScriptWriter {
public:
    explicit ScriptWriter(torch::jit::Module& target) : target_(target) {}

    std::string op(const std::string& expression) {
        const std::string name = "x" + std::to_string(++variables_);
        lines_ += "    " + name + " = " + expression + "\n";
        return name;
    }

    std::string source(const std::string& output) const {
        return "def forward(self, x):\n" + lines_ + "    return " + output + "\n";
    }

    // `module` (registered at `path`) applied to the variable `input`; returns the result's variable.
    std::string module(const std::string& path, torch::nn::Module& module, const std::string& input) {
        if (auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(&module)) return convolution(path, *conv, input);
        if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(&module)) return batchNorm(path, *norm, input);
        if (auto* linear = dynamic_cast<torch::nn::LinearImpl*>(&module)) return affine(path, *linear, input);
        if (auto* pool = dynamic_cast<torch::nn::MaxPool2dImpl*>(&module)) return maxPool(*pool, input);
        if (dynamic_cast<torch::nn::ReLUImpl*>(&module)) return op("torch.relu(" + input + ")");
        if (dynamic_cast<torch::nn::ReLU6Impl*>(&module)) return op("torch.clamp(" + input + ", 0.0, 6.0)");
        if (dynamic_cast<torch::nn::DropoutImpl*>(&module)) return input; // inference
        if (auto* flatten = dynamic_cast<torch::nn::FlattenImpl*>(&module))
            return op("torch.flatten(" + input + ", " + std::to_string(flatten->options.start_dim()) + ", " +
                      std::to_string(flatten->options.end_dim()) + ")");
        if (dynamic_cast<BasicBlockImpl*>(&module)) return residualBlock(path, module, input, 2);
        if (dynamic_cast<BottleneckImpl*>(&module)) return residualBlock(path, module, input, 3);
        if (auto* block = dynamic_cast<InvertedResidualImpl*>(&module)) {
            const auto output = this->module(childPath(path, "conv"), child(module, "conv"), input);
            return block->residual() ? op(input + " + " + output) : output;
        }
        if (dynamic_cast<torch::nn::SequentialImpl*>(&module)) {
            std::string x = input;
            for (const auto& item : module.named_children()) x = this->module(childPath(path, item.key()), *item.value(), x);
            return x;
        }
        throw Error("TorchScript export cannot write " + friendlyType(module) + " (at '" + path + "') yet");
    }

    static torch::nn::Module& child(torch::nn::Module& module, const std::string& name) {
        return *module.named_children()[name];
    }

private:
    // The attribute holding `tensor`, registered under its state_dict name with '.' as '_'.
    std::string attribute(const std::string& name, const torch::Tensor& tensor, bool buffer) {
        std::string attribute = name;
        std::replace(attribute.begin(), attribute.end(), '.', '_');
        if (const auto known = names_.find(attribute); known != names_.end() && known->second != name)
            throw Error("TorchScript export: '" + name + "' and '" + known->second + "' would share the name " + attribute);
        names_[attribute] = name;
        target_.register_parameter(attribute, tensor.detach().to(torch::kCPU).contiguous().clone(), buffer);
        return "self." + attribute;
    }

    std::string optionalBias(const std::string& path, const torch::Tensor& bias) {
        return bias.defined() ? attribute(path + ".bias", bias, false) : "None";
    }

    std::string convolution(const std::string& path, torch::nn::Conv2dImpl& conv, const std::string& input) {
        // Unqualified: LibTorch 1.13's options hold c10::variant, 2.x std::variant; ADL finds either.
        const auto* padding = get_if<torch::ExpandingArray<2>>(&conv.options.padding());
        if (!padding || !holds_alternative<torch::enumtype::kZeros>(conv.options.padding_mode()))
            throw Error("TorchScript export cannot write the padding of the convolution at '" + path + "' yet");
        return op("torch.conv2d(" + input + ", " + attribute(path + ".weight", conv.weight, false) + ", " +
                  optionalBias(path, conv.bias) + ", " + intList(*conv.options.stride()) + ", " + intList(**padding) + ", " +
                  intList(*conv.options.dilation()) + ", " + std::to_string(conv.options.groups()) + ")");
    }

    std::string batchNorm(const std::string& path, torch::nn::BatchNorm2dImpl& norm, const std::string& input) {
        if (!norm.options.affine() || !norm.options.track_running_stats())
            throw Error("TorchScript export needs the BatchNorm at '" + path + "' to be affine with running statistics");
        return op("torch.batch_norm(" + input + ", " + attribute(path + ".weight", norm.weight, false) + ", " +
                  attribute(path + ".bias", norm.bias, false) + ", " +
                  attribute(path + ".running_mean", norm.running_mean, true) + ", " +
                  attribute(path + ".running_var", norm.running_var, true) + ", False, 0.0, " +
                  floatLiteral(norm.options.eps()) + ", True)");
    }

    std::string affine(const std::string& path, torch::nn::LinearImpl& linear, const std::string& input) {
        const auto weight = attribute(path + ".weight", linear.weight, false);
        if (!linear.bias.defined()) return op("torch.mm(" + input + ", " + weight + ".t())");
        return op("torch.addmm(" + attribute(path + ".bias", linear.bias, false) + ", " + input + ", " + weight + ".t())");
    }

    std::string maxPool(torch::nn::MaxPool2dImpl& pool, const std::string& input) {
        return op("torch.max_pool2d(" + input + ", " + intList(*pool.options.kernel_size()) + ", " +
                  intList(*pool.options.stride()) + ", " + intList(*pool.options.padding()) + ", " +
                  intList(*pool.options.dilation()) + ", " + (pool.options.ceil_mode() ? "True" : "False") + ")");
    }

    // torchvision's BasicBlock (2 convs) and Bottleneck (3): conv-bn-relu..., conv-bn, + shortcut, relu.
    std::string residualBlock(const std::string& path, torch::nn::Module& block, const std::string& input, int convs) {
        std::string x = input;
        for (int i = 1; i <= convs; ++i) {
            const auto index = std::to_string(i);
            x = module(childPath(path, "conv" + index), child(block, "conv" + index), x);
            x = module(childPath(path, "bn" + index), child(block, "bn" + index), x);
            if (i < convs) x = op("torch.relu(" + x + ")");
        }
        std::string shortcut = input;
        const auto children = block.named_children();
        if (const auto* downsample = children.find("downsample"))
            shortcut = module(childPath(path, "downsample"), **downsample, input);
        return op("torch.relu(" + x + " + " + shortcut + ")");
    }

    torch::jit::Module& target_;
    std::string lines_;
    int variables_ = 0;
    std::map<std::string, std::string> names_; // attribute -> state_dict name
};

std::string globalAveragePool(ScriptWriter& writer, const std::string& input) {
    return writer.op("torch.mean(" + input + ", [2, 3])");
}

// The whole classifier's forward(), architecture by architecture.
std::string classifierOutput(ScriptWriter& writer, ClassifierImpl& model) {
    const auto part = [&](const std::string& name, const std::string& input) {
        return writer.module(name, ScriptWriter::child(model, name), input);
    };
    if (dynamic_cast<TinyNetImpl*>(&model)) {
        std::string x = "x";
        for (const auto* stage : {"stem", "stage1", "stage2", "stage3"}) x = part(stage, x);
        return part("head", globalAveragePool(writer, x));
    }
    if (dynamic_cast<ResNetImpl*>(&model)) {
        auto x = writer.op("torch.relu(" + part("bn1", part("conv1", "x")) + ")");
        x = writer.op("torch.max_pool2d(" + x + ", [3, 3], [2, 2], [1, 1], [1, 1], False)");
        for (const auto* layer : {"layer1", "layer2", "layer3", "layer4"}) x = part(layer, x);
        return part("fc", globalAveragePool(writer, x));
    }
    if (dynamic_cast<PooledClassifierImpl*>(&model))
        return part("classifier", globalAveragePool(writer, part("features", "x")));
    throw Error("TorchScript export cannot write " + friendlyType(model) + " yet");
}

} // namespace

void exportTorchScript(ClassifierImpl& model, const std::filesystem::path& file, const TorchScriptExportOptions& options) {
    torch::jit::Module script("GraftClassifier");
    ScriptWriter writer(script);
    auto output = classifierOutput(writer, model);
    if (options.softmax) output = writer.op("torch.softmax(" + output + ", 1)");
    script.define(writer.source(output));
    std::ostringstream bytes;
    script.save(bytes);
    writeFileAtomically(file, bytes.str());
}

} // namespace graft
