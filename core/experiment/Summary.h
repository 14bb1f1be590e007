#pragma once

#include <cstdint>
#include <vector>

namespace graft {

// Mean, sample standard deviation and a 95 % confidence interval of the mean: Student's t
// interval below kBootstrapFrom values, a percentile bootstrap (10,000 resamples, seeded so the
// same values give the same interval) from there on. One value has an unbounded interval.
enum class IntervalMethod { Single, StudentT, Bootstrap };

struct Summary {
    static constexpr std::size_t kBootstrapFrom = 10;

    std::size_t count = 0;
    double mean = 0;
    double standardDeviation = 0;
    double low = 0;
    double high = 0;
    IntervalMethod method = IntervalMethod::Single;

    // Throws graft::Error for no values.
    static Summary of(const std::vector<double>& values);
};

} // namespace graft
