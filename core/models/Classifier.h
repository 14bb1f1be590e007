#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <functional>
#include <string>
#include <vector>

namespace graft {

// One stage of a network as the user sees it (and freezes it): applied in order, the blocks
// of a classifier compute its forward(). Parameters belong to a block by name prefix.
struct NetworkBlock {
    std::string name;
    std::string type;
    std::vector<std::string> parameterPrefixes; // empty for parameter-free blocks (pooling)
    std::function<torch::Tensor(torch::Tensor)> forward;
};

// What the trainer needs of any image classifier: logits for a batch of N x C x H x W images,
// and the blocks they pass through.
class ClassifierImpl : public torch::nn::Module {
public:
    virtual torch::Tensor forward(torch::Tensor images) = 0;
    virtual std::vector<NetworkBlock> blocks() = 0;
};

// "graft::BasicBlockImpl" -> "BasicBlock"; Sequentials -> "Sequential(2 x BasicBlock)" or
// "Sequential(Dropout, Linear)".
std::string friendlyType(const torch::nn::Module& module);

// A whole module as one block, named `name`, owning the parameters under "name.".
template <typename Holder> NetworkBlock moduleBlock(const std::string& name, Holder module) {
    return {name, friendlyType(*module), {name + "."}, [module](torch::Tensor x) mutable { return module->forward(x); }};
}

// Item `index` of a Sequential registered as `sequenceName`: block "sequenceName.index".
NetworkBlock sequenceItemBlock(const std::string& sequenceName, const torch::nn::Sequential& sequence, std::size_t index);

// The parameter-free global average pooling between features and head.
NetworkBlock globalPoolBlock();

} // namespace graft
