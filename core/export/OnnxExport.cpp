#include "export/OnnxExport.h"

#include "common/AtomicFile.h"
#include "common/Version.h"
#include "export/BatchNormFolding.h"
#include "export/ExportGraph.h"
#include "export/ProtoMessage.h"
#include "models/Classifier.h"

#include <algorithm>
#include <variant>
#include <vector>

namespace graft {
namespace {

// Field numbers and enums of onnx.proto.
namespace onnx {
constexpr int kModelIrVersion = 1, kModelProducerName = 2, kModelProducerVersion = 3, kModelGraph = 7, kModelOpset = 8;
constexpr int kOpsetVersion = 2;
constexpr int kGraphNode = 1, kGraphName = 2, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12;
constexpr int kNodeInput = 1, kNodeOutput = 2, kNodeName = 3, kNodeOpType = 4, kNodeAttribute = 5;
constexpr int kAttributeName = 1, kAttributeFloat = 2, kAttributeInt = 3, kAttributeInts = 8, kAttributeType = 20;
constexpr int kAttributeTypeFloat = 1, kAttributeTypeInt = 2, kAttributeTypeInts = 7;
constexpr int kTensorDims = 1, kTensorDataType = 2, kTensorName = 8, kTensorRawData = 9, kTensorFloat = 1;
constexpr int kValueInfoName = 1, kValueInfoType = 2, kTypeTensor = 1, kTensorTypeElem = 1, kTensorTypeShape = 2;
constexpr int kShapeDim = 1, kDimValue = 1, kDimParam = 2;
constexpr std::int64_t kIrVersion = 7, kOpset = 13;
} // namespace onnx

ProtoMessage intAttribute(const std::string& name, std::int64_t value) {
    return ProtoMessage().bytes(onnx::kAttributeName, name).varint(onnx::kAttributeInt, value).varint(onnx::kAttributeType, onnx::kAttributeTypeInt);
}

ProtoMessage floatAttribute(const std::string& name, float value) {
    return ProtoMessage().bytes(onnx::kAttributeName, name).float32(onnx::kAttributeFloat, value).varint(onnx::kAttributeType, onnx::kAttributeTypeFloat);
}

ProtoMessage intsAttribute(const std::string& name, torch::IntArrayRef values) {
    ProtoMessage attribute;
    attribute.bytes(onnx::kAttributeName, name);
    for (const auto value : values) attribute.varint(onnx::kAttributeInts, value);
    return attribute.varint(onnx::kAttributeType, onnx::kAttributeTypeInts);
}

// ONNX pads are all begins, then all ends.
std::vector<std::int64_t> beginsAndEnds(torch::IntArrayRef padding) {
    std::vector<std::int64_t> pads(padding.begin(), padding.end());
    pads.insert(pads.end(), padding.begin(), padding.end());
    return pads;
}

ProtoMessage floatTensorInfo(const std::string& name, const std::vector<std::variant<std::int64_t, std::string>>& dims) {
    ProtoMessage shape;
    for (const auto& dim : dims) {
        ProtoMessage dimension;
        if (const auto* value = std::get_if<std::int64_t>(&dim)) dimension.varint(onnx::kDimValue, *value);
        else dimension.bytes(onnx::kDimParam, std::get<std::string>(dim));
        shape.message(onnx::kShapeDim, dimension);
    }
    const auto tensorType = ProtoMessage().varint(onnx::kTensorTypeElem, onnx::kTensorFloat).message(onnx::kTensorTypeShape, shape);
    return ProtoMessage().bytes(onnx::kValueInfoName, name).message(onnx::kValueInfoType, ProtoMessage().message(onnx::kTypeTensor, tensorType));
}

// Appended, not "v" + std::to_string(n): gcc 12 at -O3 warns falsely on that prepend (stringop-overflow).
std::string numbered(const char* prefix, std::size_t number) {
    std::string name = prefix;
    name += std::to_string(number);
    return name;
}

struct Node {
    std::string opType;
    std::vector<std::string> inputs;
    std::string output;
    std::vector<ProtoMessage> attributes;
};

class OnnxGraph : public ExportGraph {
public:
    std::string input() override { return "images"; }
    std::string conv2d(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       torch::IntArrayRef stride, torch::IntArrayRef padding, torch::IntArrayRef dilation, std::int64_t groups,
                       const std::string& x) override {
        std::vector<std::string> inputs = {x, initializer(path + ".weight", weight)};
        if (bias.defined()) inputs.push_back(initializer(path + ".bias", bias));
        return node("Conv", inputs,
                    {intsAttribute("kernel_shape", weight.sizes().slice(2)), intsAttribute("strides", stride),
                     intsAttribute("pads", beginsAndEnds(padding)), intsAttribute("dilations", dilation),
                     intAttribute("group", groups)});
    }
    std::string batchNorm(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                          const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                          const std::string& x) override {
        return node("BatchNormalization",
                    {x, initializer(path + ".weight", weight), initializer(path + ".bias", bias),
                     initializer(path + ".running_mean", runningMean), initializer(path + ".running_var", runningVar)},
                    {floatAttribute("epsilon", float(eps))});
    }
    std::string relu(const std::string& x) override { return node("Relu", {x}); }
    // low + relu(x - low) - relu(x - high), not Clip: OpenCV 4.6 reads only opset-6 Clip, whose
    // bounds are attributes, while opset 13 makes them inputs.
    std::string clamp(const std::string& x, double low, double high) override {
        const std::string bounds = numbered("clamp", nodes_.size() + 1);
        const auto lowValue = low == 0 ? std::string() : initializer(bounds + ".low", torch::tensor(float(low)));
        const auto aboveLow = node("Relu", {low == 0 ? x : node("Sub", {x, lowValue})});
        const auto aboveHigh =
            node("Relu", {node("Sub", {x, initializer(bounds + ".high", torch::tensor(float(high)))})});
        const auto clamped = node("Sub", {aboveLow, aboveHigh});
        return low == 0 ? clamped : node("Add", {clamped, lowValue});
    }
    std::string sigmoid(const std::string& x) override { return node("Sigmoid", {x}); }
    // clamp(x / 6 + 1/2, 0, 1) spelled out: OpenCV 4.6 computes HardSigmoid wrongly after a
    // convolution (MobileNetV3's squeeze-excitation gates were off by 0.006).
    std::string hardSigmoid(const std::string& x) override {
        const std::string constants = numbered("hardsigmoid", nodes_.size() + 1);
        const auto scaled = node("Add", {node("Mul", {x, initializer(constants + ".scale", torch::tensor(1.0f / 6))}),
                                         initializer(constants + ".offset", torch::tensor(0.5f))});
        return clamp(scaled, 0.0, 1.0);
    }
    std::string silu(const std::string& x) override { return node("Mul", {x, sigmoid(x)}); }
    // Opset 13 has no HardSwish (it came in 14).
    std::string hardswish(const std::string& x) override { return node("Mul", {x, hardSigmoid(x)}); }
    std::string maxPool(const std::string& x, torch::IntArrayRef kernel, torch::IntArrayRef stride, torch::IntArrayRef padding,
                        torch::IntArrayRef dilation, bool ceilMode) override {
        std::vector<ProtoMessage> attributes = {intsAttribute("kernel_shape", kernel), intsAttribute("strides", stride),
                                                intsAttribute("pads", beginsAndEnds(padding))};
        // Written only when needed: OpenCV's importer, for one, does not read dilated pooling.
        if (std::any_of(dilation.begin(), dilation.end(), [](auto d) { return d != 1; }))
            attributes.push_back(intsAttribute("dilations", dilation));
        if (ceilMode) attributes.push_back(intAttribute("ceil_mode", 1));
        return node("MaxPool", {x}, attributes);
    }
    std::string add(const std::string& a, const std::string& b) override { return node("Add", {a, b}); }
    std::string multiply(const std::string& a, const std::string& b) override { return node("Mul", {a, b}); }
    std::string spatialMean(const std::string& x) override { return node("GlobalAveragePool", {x}); }
    std::string globalAveragePool(const std::string& x) override {
        return node("Flatten", {spatialMean(x)}, {intAttribute("axis", 1)});
    }
    std::string linear(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       const std::string& x) override {
        std::vector<std::string> inputs = {x, initializer(path + ".weight", weight)};
        if (bias.defined()) inputs.push_back(initializer(path + ".bias", bias));
        return node("Gemm", inputs, {intAttribute("transB", 1)});
    }
    std::string softmax(const std::string& x) override { return node("Softmax", {x}, {intAttribute("axis", 1)}); }

    ProtoMessage graph(const std::string& output, const OnnxExportOptions& options, std::int64_t classes) {
        ProtoMessage graph;
        for (const auto& node : nodes_) {
            ProtoMessage written;
            for (const auto& input : node.inputs) written.bytes(onnx::kNodeInput, input);
            written.bytes(onnx::kNodeOutput, node.output == output ? outputName(options) : node.output);
            written.bytes(onnx::kNodeName, node.output).bytes(onnx::kNodeOpType, node.opType);
            for (const auto& attribute : node.attributes) written.message(onnx::kNodeAttribute, attribute);
            graph.message(onnx::kGraphNode, written);
        }
        graph.bytes(onnx::kGraphName, "graft");
        for (const auto& tensor : initializers_) graph.message(onnx::kGraphInitializer, tensor);
        graph.message(onnx::kGraphInput, floatTensorInfo("images", {std::string("N"), std::int64_t(options.channels),
                                                                      std::int64_t(options.imageSize),
                                                                      std::int64_t(options.imageSize)}));
        graph.message(onnx::kGraphOutput, floatTensorInfo(outputName(options), {std::string("N"), classes}));
        return graph;
    }

private:
    static std::string outputName(const OnnxExportOptions& options) { return options.softmax ? "probabilities" : "logits"; }

    std::string node(const std::string& opType, std::vector<std::string> inputs, std::vector<ProtoMessage> attributes = {}) {
        const std::string output = numbered("v", nodes_.size() + 1);
        nodes_.push_back({opType, std::move(inputs), output, std::move(attributes)});
        return output;
    }

    std::string initializer(const std::string& name, const torch::Tensor& tensor) {
        const auto values = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        ProtoMessage written;
        for (const auto dim : values.sizes()) written.varint(onnx::kTensorDims, dim);
        written.varint(onnx::kTensorDataType, onnx::kTensorFloat).bytes(onnx::kTensorName, name);
        written.bytes(onnx::kTensorRawData, std::string_view(static_cast<const char*>(values.data_ptr()), values.nbytes()));
        initializers_.push_back(std::move(written));
        return name;
    }

    std::vector<Node> nodes_;
    std::vector<ProtoMessage> initializers_;
};

} // namespace

void exportOnnx(ClassifierImpl& model, const std::filesystem::path& file, const OnnxExportOptions& options) {
    // Runtimes fold BatchNorm into the convolution before it when they load a model, most of
    // them: written folded, the file is smaller and every runtime runs it without the passes.
    OnnxGraph graph;
    BatchNormFolding folding(graph);
    auto output = folding.resolved(writeClassifier(model, folding));
    if (options.softmax) output = graph.softmax(output);
    std::int64_t classes = 0;
    {
        torch::NoGradGuard noGrad;
        model.eval();
        classes = model.forward(torch::zeros({1, options.channels, options.imageSize, options.imageSize})).size(1);
    }
    ProtoMessage written;
    written.varint(onnx::kModelIrVersion, onnx::kIrVersion)
        .bytes(onnx::kModelProducerName, "graft")
        .bytes(onnx::kModelProducerVersion, kGraftVersion)
        .message(onnx::kModelGraph, graph.graph(output, options, classes))
        .message(onnx::kModelOpset, ProtoMessage().varint(onnx::kOpsetVersion, onnx::kOpset));
    writeFileAtomically(file, written.data());
}

} // namespace graft
