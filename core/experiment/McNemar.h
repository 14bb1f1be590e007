#pragma once

#include <cstdint>

namespace graft {

// McNemar's test on paired predictions of the same images: only the discordant pairs count,
// `onlyFirstRight` (b) and `onlySecondRight` (c). Exact two-sided binomial p below 25 discordant
// pairs, the chi-square with continuity correction from there on.
struct McNemarResult {
    std::int64_t onlyFirstRight = 0;
    std::int64_t onlySecondRight = 0;
    double statistic = 0; // chi-square (0 for the exact test)
    double pValue = 1;
    bool exact = true;
};

McNemarResult mcNemar(std::int64_t onlyFirstRight, std::int64_t onlySecondRight);

} // namespace graft
