#include "experiment/McNemar.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

constexpr std::int64_t kExactBelow = 25;

double logChoose(std::int64_t n, std::int64_t k) {
    return std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1);
}

} // namespace

McNemarResult mcNemar(std::int64_t onlyFirstRight, std::int64_t onlySecondRight) {
    if (onlyFirstRight < 0 || onlySecondRight < 0) throw Error("McNemar's test needs counts of at least 0");
    McNemarResult result;
    result.onlyFirstRight = onlyFirstRight;
    result.onlySecondRight = onlySecondRight;
    const std::int64_t discordant = onlyFirstRight + onlySecondRight;
    if (discordant == 0) return result;
    if (discordant < kExactBelow) {
        double tail = 0;
        for (std::int64_t i = 0; i <= std::min(onlyFirstRight, onlySecondRight); ++i)
            tail += std::exp(logChoose(discordant, i) - double(discordant) * std::log(2.0));
        result.pValue = std::min(1.0, 2 * tail);
        return result;
    }
    const double difference = std::abs(double(onlyFirstRight - onlySecondRight)) - 1;
    result.exact = false;
    result.statistic = std::max(0.0, difference) * std::max(0.0, difference) / double(discordant);
    result.pValue = std::erfc(std::sqrt(result.statistic / 2)); // chi-square, one degree of freedom
    return result;
}

} // namespace graft
