#include "experiment/TransferVerdict.h"

#include "common/Error.h"

namespace graft {

std::string_view verdictText(Verdict verdict) {
    switch (verdict) {
    case Verdict::TransferHelps: return "transfer helps";
    case Verdict::NoEvidence: return "no evidence";
    case Verdict::NegativeTransfer: return "negative transfer";
    }
    return "no evidence";
}

PairedComparison comparePaired(const std::vector<double>& arm, const std::vector<double>& baseline) {
    if (arm.empty() || arm.size() != baseline.size())
        throw Error("a paired comparison needs the same number of runs (" + std::to_string(arm.size()) + " and " +
                    std::to_string(baseline.size()) + "), at least one each");
    std::vector<double> deltas(arm.size());
    for (std::size_t i = 0; i < arm.size(); ++i) deltas[i] = arm[i] - baseline[i];
    PairedComparison comparison;
    comparison.delta = Summary::of(deltas);
    if (comparison.delta.low > 0) comparison.verdict = Verdict::TransferHelps;
    else if (comparison.delta.high < 0) comparison.verdict = Verdict::NegativeTransfer;
    return comparison;
}

} // namespace graft
