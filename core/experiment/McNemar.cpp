#include "experiment/McNemar.h"

#include "common/Error.h"

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>

namespace graft {
namespace {

constexpr std::int64_t kExactBelow = 25;

} // namespace

McNemarResult mcNemar(std::int64_t onlyFirstRight, std::int64_t onlySecondRight) {
    if (onlyFirstRight < 0 || onlySecondRight < 0) throw Error("McNemar's test needs counts of at least 0");
    McNemarResult result;
    result.onlyFirstRight = onlyFirstRight;
    result.onlySecondRight = onlySecondRight;
    const std::int64_t discordant = onlyFirstRight + onlySecondRight;
    if (discordant == 0) return result;
    if (discordant < kExactBelow) {
        const boost::math::binomial fairCoin(double(discordant), 0.5);
        result.pValue = std::min(1.0, 2 * cdf(fairCoin, double(std::min(onlyFirstRight, onlySecondRight))));
        return result;
    }
    const double difference = std::abs(double(onlyFirstRight - onlySecondRight)) - 1;
    result.exact = false;
    result.statistic = std::max(0.0, difference) * std::max(0.0, difference) / double(discordant);
    result.pValue = cdf(complement(boost::math::chi_squared(1), result.statistic));
    return result;
}

} // namespace graft
