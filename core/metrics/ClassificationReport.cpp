#include "metrics/ClassificationReport.h"

#include "common/Error.h"

namespace graft {

ClassificationReport ClassificationReport::of(const std::vector<std::int64_t>& truth,
                                              const std::vector<std::int64_t>& predicted,
                                              const std::vector<std::string>& classNames) {
    if (truth.size() != predicted.size())
        throw Error("a classification report needs one prediction per image (" + std::to_string(truth.size()) +
                    " images, " + std::to_string(predicted.size()) + " predictions)");
    const auto classes = std::int64_t(classNames.size());
    ClassificationReport report;
    report.confusion.assign(classNames.size(), std::vector<std::int64_t>(classNames.size(), 0));
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes)
            throw Error("a classification report got class " + std::to_string(std::max(truth[i], predicted[i])) +
                        " of only " + std::to_string(classes));
        ++report.confusion[std::size_t(truth[i])][std::size_t(predicted[i])];
        correct += truth[i] == predicted[i];
    }
    report.accuracy = truth.empty() ? 0 : double(correct) / double(truth.size());
    for (std::size_t c = 0; c < classNames.size(); ++c) {
        ClassMetrics metrics;
        metrics.name = classNames[c];
        std::int64_t predictedAsC = 0;
        for (std::size_t t = 0; t < classNames.size(); ++t) {
            metrics.support += report.confusion[c][t];
            predictedAsC += report.confusion[t][c];
        }
        const double hits = double(report.confusion[c][c]);
        metrics.precision = predictedAsC > 0 ? hits / double(predictedAsC) : 0;
        metrics.recall = metrics.support > 0 ? hits / double(metrics.support) : 0;
        const double sum = metrics.precision + metrics.recall;
        metrics.f1 = sum > 0 ? 2 * metrics.precision * metrics.recall / sum : 0;
        report.macroF1 += metrics.f1 / double(classNames.size());
        report.classes.push_back(metrics);
    }
    int present = 0;
    for (const auto& metrics : report.classes)
        if (metrics.support > 0) {
            report.balancedAccuracy += metrics.recall;
            ++present;
        }
    if (present > 0) report.balancedAccuracy /= present;
    return report;
}

} // namespace graft
