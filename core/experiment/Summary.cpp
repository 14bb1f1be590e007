#include "experiment/Summary.h"

#include "common/Draws.h"
#include "common/Error.h"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace graft {
namespace {

constexpr int kResamples = 10000;

double meanOf(const std::vector<double>& values) {
    return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

} // namespace

Summary Summary::of(const std::vector<double>& values) {
    if (values.empty()) throw Error("a summary needs at least one value");
    Summary summary;
    summary.count = values.size();
    summary.mean = meanOf(values);
    if (values.size() == 1) {
        summary.low = -std::numeric_limits<double>::infinity();
        summary.high = std::numeric_limits<double>::infinity();
        summary.method = IntervalMethod::Single;
        return summary;
    }
    double squares = 0;
    for (const double value : values) squares += (value - summary.mean) * (value - summary.mean);
    summary.standardDeviation = std::sqrt(squares / double(values.size() - 1));
    if (values.size() < kBootstrapFrom) {
        const boost::math::students_t t(double(values.size() - 1));
        const double halfWidth = boost::math::quantile(t, 0.975) * summary.standardDeviation / std::sqrt(double(values.size()));
        summary.low = summary.mean - halfWidth;
        summary.high = summary.mean + halfWidth;
        summary.method = IntervalMethod::StudentT;
        return summary;
    }
    Draws draws(0x5EED);
    std::vector<double> means(kResamples);
    const int last = int(values.size()) - 1;
    for (double& mean : means) {
        double sum = 0;
        for (std::size_t i = 0; i < values.size(); ++i) sum += values[std::size_t(draws.integer(0, last))];
        mean = sum / double(values.size());
    }
    std::sort(means.begin(), means.end());
    summary.low = means[std::size_t(0.025 * kResamples)];
    summary.high = means[std::size_t(0.975 * kResamples) - 1];
    summary.method = IntervalMethod::Bootstrap;
    return summary;
}

} // namespace graft
