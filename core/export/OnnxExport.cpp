#include "export/OnnxExport.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/Version.h"
#include "export/BatchNormFolding.h"
#include "export/ExportGraph.h"
#include "models/Classifier.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <variant>
#include <vector>

namespace graft {
namespace {

constexpr std::int64_t kIrVersion = 7, kOpset = 13;

struct Attribute {
    std::string name;
    std::variant<std::int64_t, float, std::vector<std::int64_t>> value;
};

Attribute ints(const std::string& name, torch::IntArrayRef values) {
    return {name, std::vector<std::int64_t>(values.begin(), values.end())};
}

void write(const Attribute& attribute, onnx::AttributeProto& written) {
    written.set_name(attribute.name);
    if (const auto* value = std::get_if<std::int64_t>(&attribute.value)) {
        written.set_type(onnx::AttributeProto::INT);
        written.set_i(*value);
    } else if (const auto* value = std::get_if<float>(&attribute.value)) {
        written.set_type(onnx::AttributeProto::FLOAT);
        written.set_f(*value);
    } else {
        written.set_type(onnx::AttributeProto::INTS);
        for (const auto value : std::get<std::vector<std::int64_t>>(attribute.value)) written.add_ints(value);
    }
}

// ONNX pads are all begins, then all ends.
std::vector<std::int64_t> beginsAndEnds(torch::IntArrayRef padding) {
    std::vector<std::int64_t> pads(padding.begin(), padding.end());
    pads.insert(pads.end(), padding.begin(), padding.end());
    return pads;
}

void describeFloatTensor(onnx::ValueInfoProto& info, const std::string& name,
                         const std::vector<std::variant<std::int64_t, std::string>>& dims) {
    info.set_name(name);
    auto& tensorType = *info.mutable_type()->mutable_tensor_type();
    tensorType.set_elem_type(onnx::TensorProto::FLOAT);
    for (const auto& dim : dims) {
        auto& dimension = *tensorType.mutable_shape()->add_dim();
        if (const auto* value = std::get_if<std::int64_t>(&dim)) dimension.set_dim_value(*value);
        else dimension.set_dim_param(std::get<std::string>(dim));
    }
}

// Appended, not "v" + std::to_string(n): gcc 12 at -O3 warns falsely on that prepend (stringop-overflow).
std::string numbered(const char* prefix, std::size_t number) {
    std::string name = prefix;
    name += std::to_string(number);
    return name;
}

class OnnxGraph : public ExportGraph {
public:
    std::string input() override { return "images"; }
    std::string conv2d(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       torch::IntArrayRef stride, torch::IntArrayRef padding, torch::IntArrayRef dilation, std::int64_t groups,
                       const std::string& x) override {
        std::vector<std::string> inputs = {x, initializer(path + ".weight", weight)};
        if (bias.defined()) inputs.push_back(initializer(path + ".bias", bias));
        return node("Conv", inputs,
                    {ints("kernel_shape", weight.sizes().slice(2)), ints("strides", stride),
                     ints("pads", beginsAndEnds(padding)), ints("dilations", dilation),
                     {"group", groups}});
    }
    std::string batchNorm(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                          const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                          const std::string& x) override {
        return node("BatchNormalization",
                    {x, initializer(path + ".weight", weight), initializer(path + ".bias", bias),
                     initializer(path + ".running_mean", runningMean), initializer(path + ".running_var", runningVar)},
                    {{"epsilon", float(eps)}});
    }
    std::string relu(const std::string& x) override { return node("Relu", {x}); }
    // low + relu(x - low) - relu(x - high), not Clip: OpenCV 4.6 reads only opset-6 Clip, whose
    // bounds are attributes, while opset 13 makes them inputs.
    std::string clamp(const std::string& x, double low, double high) override {
        const std::string bounds = numbered("clamp", std::size_t(graph_.node_size()) + 1);
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
        const std::string constants = numbered("hardsigmoid", std::size_t(graph_.node_size()) + 1);
        const auto scaled = node("Add", {node("Mul", {x, initializer(constants + ".scale", torch::tensor(1.0f / 6))}),
                                         initializer(constants + ".offset", torch::tensor(0.5f))});
        return clamp(scaled, 0.0, 1.0);
    }
    std::string silu(const std::string& x) override { return node("Mul", {x, sigmoid(x)}); }
    // Opset 13 has no HardSwish (it came in 14).
    std::string hardswish(const std::string& x) override { return node("Mul", {x, hardSigmoid(x)}); }
    std::string maxPool(const std::string& x, torch::IntArrayRef kernel, torch::IntArrayRef stride, torch::IntArrayRef padding,
                        torch::IntArrayRef dilation, bool ceilMode) override {
        std::vector<Attribute> attributes = {ints("kernel_shape", kernel), ints("strides", stride),
                                                ints("pads", beginsAndEnds(padding))};
        // Written only when needed: OpenCV's importer, for one, does not read dilated pooling.
        if (std::any_of(dilation.begin(), dilation.end(), [](auto d) { return d != 1; }))
            attributes.push_back(ints("dilations", dilation));
        if (ceilMode) attributes.push_back({"ceil_mode", std::int64_t(1)});
        return node("MaxPool", {x}, attributes);
    }
    std::string add(const std::string& a, const std::string& b) override { return node("Add", {a, b}); }
    std::string multiply(const std::string& a, const std::string& b) override { return node("Mul", {a, b}); }
    std::string spatialMean(const std::string& x) override { return node("GlobalAveragePool", {x}); }
    std::string globalAveragePool(const std::string& x) override {
        return node("Flatten", {spatialMean(x)}, {{"axis", std::int64_t(1)}});
    }
    std::string linear(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       const std::string& x) override {
        std::vector<std::string> inputs = {x, initializer(path + ".weight", weight)};
        if (bias.defined()) inputs.push_back(initializer(path + ".bias", bias));
        return node("Gemm", inputs, {{"transB", std::int64_t(1)}});
    }
    std::string softmax(const std::string& x) override { return node("Softmax", {x}, {{"axis", std::int64_t(1)}}); }

    // The graph with `output` renamed to what callers read (or split into its heads' outputs), and
    // the input and outputs declared.
    onnx::GraphProto finished(std::string output, const OnnxExportOptions& options, std::int64_t classes) && {
        graph_.set_name("graft");
        describeFloatTensor(*graph_.add_input(), "images",
                            {std::string("N"), std::int64_t(options.channels), std::int64_t(options.imageSize),
                             std::int64_t(options.imageSize)});
        if (options.heads.empty()) {
            if (options.softmax) output = softmax(output);
            const auto name = options.softmax ? "probabilities" : "logits";
            for (auto& node : *graph_.mutable_node())
                if (node.output(0) == output) node.set_output(0, name);
            describeFloatTensor(*graph_.add_output(), name, {std::string("N"), classes});
            return std::move(graph_);
        }
        const auto axes = int64Initializer("heads.axes", {1});
        for (const auto& head : options.heads) {
            auto value = node("Slice", {output, int64Initializer("heads." + head.name + ".starts", {head.begin}),
                                        int64Initializer("heads." + head.name + ".ends", {head.end}), axes});
            if (options.softmax) value = softmax(value);
            graph_.mutable_node(graph_.node_size() - 1)->set_output(0, head.name);
            describeFloatTensor(*graph_.add_output(), head.name, {std::string("N"), head.end - head.begin});
        }
        return std::move(graph_);
    }

private:
    std::string node(const std::string& opType, const std::vector<std::string>& inputs,
                     const std::vector<Attribute>& attributes = {}) {
        const std::string output = numbered("v", std::size_t(graph_.node_size()) + 1);
        auto& written = *graph_.add_node();
        for (const auto& input : inputs) written.add_input(input);
        written.add_output(output);
        written.set_name(output);
        written.set_op_type(opType);
        for (const auto& attribute : attributes) write(attribute, *written.add_attribute());
        return output;
    }

    std::string int64Initializer(const std::string& name, const std::vector<std::int64_t>& values) {
        auto& written = *graph_.add_initializer();
        written.add_dims(std::int64_t(values.size()));
        written.set_data_type(onnx::TensorProto::INT64);
        written.set_name(name);
        written.set_raw_data(values.data(), values.size() * sizeof(std::int64_t));
        return name;
    }

    std::string initializer(const std::string& name, const torch::Tensor& tensor) {
        const auto values = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        auto& written = *graph_.add_initializer();
        for (const auto dim : values.sizes()) written.add_dims(dim);
        written.set_data_type(onnx::TensorProto::FLOAT);
        written.set_name(name);
        written.set_raw_data(values.data_ptr(), values.nbytes());
        return name;
    }

    onnx::GraphProto graph_;
};

} // namespace

void exportOnnx(ClassifierImpl& model, const std::filesystem::path& file, const OnnxExportOptions& options) {
    // Runtimes fold BatchNorm into the convolution before it when they load a model, most of
    // them: written folded, the file is smaller and every runtime runs it without the passes.
    OnnxGraph graph;
    BatchNormFolding folding(graph);
    const auto output = folding.resolved(writeClassifier(model, folding));
    for (const auto& head : options.heads)
        if (head.name == "images") throw Error(file.string() + ": a task named 'images' would be the model's input's name");
    std::int64_t classes = 0;
    {
        torch::NoGradGuard noGrad;
        model.eval();
        classes = model.forward(torch::zeros({1, options.channels, options.imageSize, options.imageSize})).size(1);
    }
    onnx::ModelProto written;
    written.set_ir_version(kIrVersion);
    written.set_producer_name("graft");
    written.set_producer_version(kGraftVersion);
    *written.mutable_graph() = std::move(graph).finished(output, options, classes);
    written.add_opset_import()->set_version(kOpset);
    // The ONNX project's own checker, so a file Graft writes is one every runtime may read.
    try {
        onnx::checker::check_model(written);
    } catch (const std::exception& error) {
        throw Error("the ONNX model for " + file.string() + " fails the ONNX checker: " + error.what());
    }
    std::string bytes;
    if (!written.SerializeToString(&bytes))
        throw Error("cannot write " + file.string() + ": the model is over protobuf's 2 GB limit");
    writeFileAtomically(file, bytes);
}

} // namespace graft
