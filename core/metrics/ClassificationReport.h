#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

struct ClassMetrics {
    std::string name;
    std::int64_t support = 0; // images of the class
    double precision = 0;     // 0 when nothing was predicted as the class
    double recall = 0;
    double f1 = 0;
};

// The confusion matrix (rows: true class, columns: predicted) with per-class precision, recall
// and F1, as scikit-learn's classification_report computes them.
struct ClassificationReport {
    std::vector<std::vector<std::int64_t>> confusion;
    std::vector<ClassMetrics> classes;
    double accuracy = 0;
    double balancedAccuracy = 0; // mean recall over the classes with images, as scikit-learn's
    double macroF1 = 0;

    // Throws graft::Error when the lists differ in length or hold a class outside the names.
    static ClassificationReport of(const std::vector<std::int64_t>& truth, const std::vector<std::int64_t>& predicted,
                                   const std::vector<std::string>& classNames);
};

} // namespace graft
