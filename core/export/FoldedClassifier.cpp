#include "export/FoldedClassifier.h"

#include "common/Error.h"
#include "export/BatchNormFolding.h"
#include "models/ChannelsLast.h"

#include <ATen/ExpandUtils.h>

#include <algorithm>
#include <memory>

namespace graft {
namespace {

// Records each operation as a step on numbered values ("v3"), with its weights on the device.
class EagerGraph : public ExportGraph {
public:
    explicit EagerGraph(torch::Device device) : device_(device) {}

    std::string input() override { return "v0"; }
    std::string conv2d(const std::string&, const torch::Tensor& weight, const torch::Tensor& bias, torch::IntArrayRef stride,
                       torch::IntArrayRef padding, torch::IntArrayRef dilation, std::int64_t groups,
                       const std::string& x) override {
        auto w = constant(weight).contiguous(weight.dim() == 4 ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
        auto b = bias.defined() ? constant(bias) : torch::Tensor();
        return step({x}, [w, b, stride = stride.vec(), padding = padding.vec(), dilation = dilation.vec(),
                          groups](const Operands& v, bool) { return torch::conv2d(v[0], w, b, stride, padding, dilation, groups); });
    }
    std::string batchNorm(const std::string&, const torch::Tensor& weight, const torch::Tensor& bias,
                          const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                          const std::string& x) override {
        return step({x}, [w = constant(weight), b = constant(bias), mean = constant(runningMean), var = constant(runningVar),
                          eps](const Operands& v, bool) { return torch::batch_norm(v[0], w, b, mean, var, false, 0.0, eps, true); });
    }
    std::string relu(const std::string& x) override {
        return step({x}, [](const Operands& v, bool overwrite) { return overwrite ? v[0].relu_() : torch::relu(v[0]); });
    }
    std::string clamp(const std::string& x, double low, double high) override {
        return step({x}, [low, high](const Operands& v, bool overwrite) {
            return overwrite ? v[0].clamp_(low, high) : torch::clamp(v[0], low, high);
        });
    }
    std::string sigmoid(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return torch::sigmoid(v[0]); });
    }
    std::string hardSigmoid(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return torch::hardsigmoid(v[0]); });
    }
    std::string silu(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return torch::silu(v[0]); });
    }
    std::string hardswish(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return torch::hardswish(v[0]); });
    }
    std::string maxPool(const std::string& x, torch::IntArrayRef kernel, torch::IntArrayRef stride, torch::IntArrayRef padding,
                        torch::IntArrayRef dilation, bool ceilMode) override {
        return step({x}, [kernel = kernel.vec(), stride = stride.vec(), padding = padding.vec(), dilation = dilation.vec(),
                          ceilMode](const Operands& v, bool) {
            return torch::max_pool2d(v[0], kernel, stride, padding, dilation, ceilMode);
        });
    }
    std::string add(const std::string& a, const std::string& b) override {
        return step({a, b}, [](const Operands& v, bool overwrite) {
            return overwrite && fitsInFirst(v) ? v[0].add_(v[1]) : v[0] + v[1];
        });
    }
    std::string multiply(const std::string& a, const std::string& b) override {
        return step({a, b}, [](const Operands& v, bool overwrite) {
            return overwrite && fitsInFirst(v) ? v[0].mul_(v[1]) : v[0] * v[1];
        });
    }
    std::string spatialMean(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return v[0].mean({2, 3}, true); });
    }
    std::string globalAveragePool(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return v[0].mean({2, 3}); });
    }
    std::string linear(const std::string&, const torch::Tensor& weight, const torch::Tensor& bias, const std::string& x) override {
        const auto wt = constant(weight).t();
        if (!bias.defined()) return step({x}, [wt](const Operands& v, bool) { return torch::mm(v[0], wt); });
        return step({x}, [wt, b = constant(bias)](const Operands& v, bool) { return torch::addmm(b, v[0], wt); });
    }
    std::string softmax(const std::string& x) override {
        return step({x}, [](const Operands& v, bool) { return torch::softmax(v[0], 1); });
    }

    using Operands = std::vector<torch::Tensor>;
    struct Recorded {
        std::vector<std::size_t> operands;
        std::function<torch::Tensor(const Operands&, bool overwriteFirst)> run;
    };
    std::vector<Recorded> recorded;

    static std::size_t index(const std::string& name) { return std::stoul(name.substr(1)); }

private:
    // An in-place update of the first operand gives the same shape only when the second broadcasts into it.
    static bool fitsInFirst(const Operands& v) { return at::infer_size(v[0].sizes(), v[1].sizes()) == v[0].sizes(); }

    torch::Tensor constant(const torch::Tensor& tensor) const { return tensor.detach().to(device_).clone(); }

    std::string step(const std::vector<std::string>& operands, std::function<torch::Tensor(const Operands&, bool)> run) {
        Recorded step{{}, std::move(run)};
        for (const auto& name : operands) step.operands.push_back(index(name));
        recorded.push_back(std::move(step));
        std::string name = "v"; // appended: gcc 12 at -O3 warns falsely on "v" + std::to_string(n)
        name += std::to_string(recorded.size());
        return name;
    }

    torch::Device device_;
};

} // namespace

FoldedClassifier::FoldedClassifier(ClassifierImpl& model, torch::Device device, Output output) {
    torch::NoGradGuard noGrad;
    EagerGraph eager(device);
    BatchNormFolding folding(eager);
    const auto written = output == Output::Logits ? writeClassifier(model, folding) : writeFeatures(model, folding);
    output_ = EagerGraph::index(folding.resolved(written));

    // The last step that reads each value; the input (value 0) is the caller's and never overwritten.
    std::vector<std::size_t> lastReader(eager.recorded.size() + 1, 0);
    for (std::size_t i = 0; i < eager.recorded.size(); ++i)
        for (const auto operand : eager.recorded[i].operands) lastReader[operand] = i + 1;
    for (std::size_t i = 0; i < eager.recorded.size(); ++i) {
        auto& recorded = eager.recorded[i];
        const auto first = recorded.operands.front();
        const bool overwriteFirst = first != 0 && first != output_ && lastReader[first] == i + 1 &&
                                    std::count(recorded.operands.begin(), recorded.operands.end(), first) == 1;
        Step step;
        step.run = [operands = recorded.operands, run = std::move(recorded.run), overwriteFirst](std::vector<torch::Tensor>& values) {
            std::vector<torch::Tensor> inputs;
            for (const auto operand : operands) inputs.push_back(values[operand]);
            return run(inputs, overwriteFirst);
        };
        for (const auto operand : recorded.operands)
            if (operand != 0 && operand != output_ && lastReader[operand] == i + 1) step.freedAfter.push_back(operand);
        steps_.push_back(std::move(step));
    }
}

torch::Tensor FoldedClassifier::forward(const torch::Tensor& images) const {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> values(steps_.size() + 1);
    values[0] = channelsLast(images);
    for (std::size_t i = 0; i < steps_.size(); ++i) {
        values[i + 1] = steps_[i].run(values);
        for (const auto freed : steps_[i].freedAfter) values[freed] = torch::Tensor();
    }
    return values[output_];
}

std::function<torch::Tensor(torch::Tensor)> inferenceFunction(ClassifierImpl& model, torch::Device device) {
    model.eval();
    try {
        auto folded = std::make_shared<const FoldedClassifier>(model, device);
        return [folded](torch::Tensor images) { return folded->forward(images); };
    } catch (const Error&) {
        // an architecture export cannot write runs as it is
        return [&model](torch::Tensor images) { return model.forward(images); };
    }
}

std::function<torch::Tensor(torch::Tensor)> prefixFunction(ClassifierImpl& model, const std::vector<NetworkBlock>& blocks,
                                                           std::size_t prefixLength, torch::Device device) {
    model.eval();
    if (prefixLength + 1 == blocks.size()) {
        try {
            auto folded = std::make_shared<const FoldedClassifier>(model, device, FoldedClassifier::Output::PooledFeatures);
            return [folded](torch::Tensor images) { return folded->forward(images); };
        } catch (const Error&) {
            // an architecture export cannot write runs block by block
        }
    }
    return [&blocks, prefixLength](torch::Tensor x) {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < prefixLength; ++i) x = blocks[i].forward(x);
        return x;
    };
}

} // namespace graft
