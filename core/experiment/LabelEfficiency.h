#pragma once

#include <optional>
#include <vector>

namespace graft {

// Mean accuracy of an arm at a label budget (labels per class).
struct CurvePoint {
    double labelsPerClass = 0;
    double accuracy = 0;
};

// Learning curves of small-data training follow error(k) = scale * k^-exponent closely; the fit
// is least squares of log error on log k (errors floored at 1e-6).
struct PowerLawFit {
    double scale = 0;
    double exponent = 0;
    double accuracyAt(double labelsPerClass) const;
};

// Throws graft::Error with fewer than two distinct budgets.
PowerLawFit fitPowerLaw(const std::vector<CurvePoint>& points);

// The budget at which `curve` first reaches `target` accuracy, interpolated linearly in log k
// between the measured budgets (what "labels saved" compares); the smallest budget when it is
// reached there already, and nothing when it is never reached. Points in any order.
std::optional<double> labelsToReach(std::vector<CurvePoint> curve, double target);

} // namespace graft
