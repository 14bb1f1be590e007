#include "experiment/LabelEfficiency.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace graft {
namespace {

constexpr double kErrorFloor = 1e-6;

} // namespace

double PowerLawFit::accuracyAt(double labelsPerClass) const { return 1 - scale * std::pow(labelsPerClass, -exponent); }

PowerLawFit fitPowerLaw(const std::vector<CurvePoint>& points) {
    std::set<double> budgets;
    for (const auto& point : points) budgets.insert(point.labelsPerClass);
    if (budgets.size() < 2 || *budgets.begin() <= 0)
        throw Error("a power-law fit needs at least two different positive label budgets");
    double meanX = 0, meanY = 0;
    for (const auto& point : points) {
        meanX += std::log(point.labelsPerClass);
        meanY += std::log(std::max(kErrorFloor, 1 - point.accuracy));
    }
    meanX /= double(points.size());
    meanY /= double(points.size());
    double covariance = 0, variance = 0;
    for (const auto& point : points) {
        const double x = std::log(point.labelsPerClass) - meanX;
        covariance += x * (std::log(std::max(kErrorFloor, 1 - point.accuracy)) - meanY);
        variance += x * x;
    }
    const double slope = covariance / variance;
    return {std::exp(meanY - slope * meanX), -slope};
}

std::optional<double> labelsToReach(std::vector<CurvePoint> curve, double target) {
    std::sort(curve.begin(), curve.end(),
              [](const CurvePoint& a, const CurvePoint& b) { return a.labelsPerClass < b.labelsPerClass; });
    for (std::size_t i = 0; i < curve.size(); ++i) {
        if (curve[i].accuracy < target) continue;
        if (i == 0) return curve[0].labelsPerClass;
        const auto& before = curve[i - 1];
        const auto& after = curve[i];
        const double fraction = (target - before.accuracy) / (after.accuracy - before.accuracy);
        const double logK = std::log(before.labelsPerClass) +
                            fraction * (std::log(after.labelsPerClass) - std::log(before.labelsPerClass));
        return std::exp(logK);
    }
    return std::nullopt;
}

} // namespace graft
