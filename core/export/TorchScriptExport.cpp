#include "export/TorchScriptExport.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "export/ExportGraph.h"
#include "export/TorchScriptPreprocess.h"

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

// forward() as TorchScript source, one aten op per line, each result a fresh variable; the
// weights it reads become attributes of the target module.
class TorchScriptGraph : public ExportGraph {
public:
    explicit TorchScriptGraph(torch::jit::Module& target) : target_(target) {}

    std::string source(const std::string& output, bool preprocess) const { return header(preprocess) + lines_ + "    return " + output + "\n"; }
    // Each head's outputs (columns of `output`) under its name, as a Dict[str, Tensor].
    std::string headsSource(const std::string& output, const std::vector<HeadColumns>& heads, bool softmax, bool preprocess) const {
        std::string entries;
        for (const auto& head : heads) {
            std::string value = output + "[:, " + std::to_string(head.begin) + ":" + std::to_string(head.end) + "]";
            if (softmax) value = "torch.softmax(" + value + ", 1)";
            entries += (entries.empty() ? "" : ", ") + stringLiteral(head.name) + ": " + value;
        }
        return header(preprocess) + lines_ + "    return {" + entries + "}\n";
    }

    std::string input() override { return "x"; }
    std::string conv2d(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       torch::IntArrayRef stride, torch::IntArrayRef padding, torch::IntArrayRef dilation, std::int64_t groups,
                       const std::string& x) override {
        return op("torch.conv2d(" + x + ", " + attribute(path + ".weight", weight, false) + ", " + optionalBias(path, bias) +
                  ", " + intList(stride) + ", " + intList(padding) + ", " + intList(dilation) + ", " + std::to_string(groups) + ")");
    }
    std::string batchNorm(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                          const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                          const std::string& x) override {
        return op("torch.batch_norm(" + x + ", " + attribute(path + ".weight", weight, false) + ", " +
                  attribute(path + ".bias", bias, false) + ", " + attribute(path + ".running_mean", runningMean, true) + ", " +
                  attribute(path + ".running_var", runningVar, true) + ", False, 0.0, " + floatLiteral(eps) + ", True)");
    }
    std::string relu(const std::string& x) override { return op("torch.relu(" + x + ")"); }
    std::string clamp(const std::string& x, double low, double high) override {
        return op("torch.clamp(" + x + ", " + floatLiteral(low) + ", " + floatLiteral(high) + ")");
    }
    std::string sigmoid(const std::string& x) override { return op("torch.sigmoid(" + x + ")"); }
    std::string hardSigmoid(const std::string& x) override { return op("torch.hardsigmoid(" + x + ")"); }
    std::string silu(const std::string& x) override { return op("torch.silu(" + x + ")"); }
    std::string hardswish(const std::string& x) override { return op("torch.hardswish(" + x + ")"); }
    std::string maxPool(const std::string& x, torch::IntArrayRef kernel, torch::IntArrayRef stride, torch::IntArrayRef padding,
                        torch::IntArrayRef dilation, bool ceilMode) override {
        return op("torch.max_pool2d(" + x + ", " + intList(kernel) + ", " + intList(stride) + ", " + intList(padding) + ", " +
                  intList(dilation) + ", " + (ceilMode ? "True" : "False") + ")");
    }
    std::string add(const std::string& a, const std::string& b) override { return op(a + " + " + b); }
    std::string multiply(const std::string& a, const std::string& b) override { return op(a + " * " + b); }
    std::string spatialMean(const std::string& x) override { return op("torch.mean(" + x + ", [2, 3], True)"); }
    std::string globalAveragePool(const std::string& x) override { return op("torch.mean(" + x + ", [2, 3])"); }
    std::string linear(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       const std::string& x) override {
        const auto w = attribute(path + ".weight", weight, false);
        if (!bias.defined()) return op("torch.mm(" + x + ", " + w + ".t())");
        return op("torch.addmm(" + attribute(path + ".bias", bias, false) + ", " + x + ", " + w + ".t())");
    }
    std::string softmax(const std::string& x) override { return op("torch.softmax(" + x + ", 1)"); }

private:
    std::string op(const std::string& expression) {
        // Appended, not "x" + std::to_string(n): gcc 12 at -O3 warns falsely on that prepend.
        std::string name = "x";
        name += std::to_string(++variables_);
        lines_ += "    " + name + " = " + expression + "\n";
        return name;
    }

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

    static std::string header(bool preprocess) {
        return preprocess ? "def forward(self, images):\n    x = self.preprocess(images)\n" : "def forward(self, x):\n";
    }
    // A task's name as a TorchScript string: any text a person typed.
    static std::string stringLiteral(const std::string& text) {
        std::string literal = "\"";
        for (const char c : text) {
            if (c == '"' || c == '\\') literal += '\\';
            if (c == '\n') literal += "\\n";
            else literal += c;
        }
        return literal + "\"";
    }

    torch::jit::Module& target_;
    std::string lines_;
    int variables_ = 0;
    std::map<std::string, std::string> names_; // attribute -> state_dict name
};

} // namespace

void exportTorchScript(ClassifierImpl& model, const std::filesystem::path& file, const TorchScriptExportOptions& options) {
    torch::jit::Module script("GraftClassifier");
    if (options.preprocess) definePreprocess(script, *options.preprocess);
    TorchScriptGraph graph(script);
    auto output = writeClassifier(model, graph);
    if (!options.heads.empty()) {
        script.define(graph.headsSource(output, options.heads, options.softmax, options.preprocess.has_value()));
    } else {
        if (options.softmax) output = graph.softmax(output);
        script.define(graph.source(output, options.preprocess.has_value()));
    }
    std::ostringstream bytes;
    script.save(bytes);
    writeFileAtomically(file, bytes.str());
}

} // namespace graft
