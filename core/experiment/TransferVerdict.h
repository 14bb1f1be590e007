#pragma once

#include "experiment/Summary.h"

#include <string_view>
#include <vector>

namespace graft {

// Whether transfer helped, from paired runs (same seed, same training images): the 95 % interval
// of the per-seed differences (arm - baseline) decides. Above 0: helps; below 0: negative
// transfer; containing 0: no evidence either way.
enum class Verdict { TransferHelps, NoEvidence, NegativeTransfer };
std::string_view verdictText(Verdict verdict);

struct PairedComparison {
    Summary delta; // of arm - baseline, per pair
    Verdict verdict = Verdict::NoEvidence;
};

// Pairs by position. Throws graft::Error when the lists differ in length or are empty.
PairedComparison comparePaired(const std::vector<double>& arm, const std::vector<double>& baseline);

} // namespace graft
