#include "models/ChannelsLast.h"

namespace graft {

void convertToChannelsLast(torch::nn::Module& model) {
    torch::NoGradGuard noGrad;
    for (auto& parameter : model.parameters())
        if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
}

torch::Tensor channelsLast(const torch::Tensor& batch) {
    return batch.dim() == 4 ? batch.contiguous(torch::MemoryFormat::ChannelsLast) : batch;
}

} // namespace graft
