#pragma once

#include <torch/types.h>

#include <vector>

namespace graft::testing {

// A float matrix's rows, as a reference script reads them from JSON.
inline std::vector<std::vector<float>> tensorRows(const torch::Tensor& matrix) {
    std::vector<std::vector<float>> rows;
    for (std::int64_t i = 0; i < matrix.size(0); ++i) {
        const auto row = matrix[i].contiguous();
        rows.emplace_back(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
    }
    return rows;
}

} // namespace graft::testing
