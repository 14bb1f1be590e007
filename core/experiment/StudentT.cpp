#include "experiment/StudentT.h"

#include "common/Error.h"

#include <cmath>

namespace graft {
namespace {

// Continued fraction of the incomplete beta function (modified Lentz), valid for
// x < (a + 1) / (a + b + 2).
double betaContinuedFraction(double a, double b, double x) {
    constexpr double kTiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (std::abs(d) < kTiny) d = kTiny;
    d = 1 / d;
    double result = d;
    for (int m = 1; m <= 300; ++m) {
        const double m2 = 2.0 * m;
        for (const double numerator : {m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
                                       -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))}) {
            d = 1 + numerator * d;
            if (std::abs(d) < kTiny) d = kTiny;
            c = 1 + numerator / c;
            if (std::abs(c) < kTiny) c = kTiny;
            d = 1 / d;
            result *= d * c;
        }
        if (std::abs(d * c - 1) < 1e-15) break;
    }
    return result;
}

double regularisedIncompleteBeta(double a, double b, double x) {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return std::exp(logFront) * betaContinuedFraction(a, b, x) / a;
    return 1 - std::exp(logFront) * betaContinuedFraction(b, a, 1 - x) / b;
}

} // namespace

double studentTCdf(double t, int degreesOfFreedom) {
    if (degreesOfFreedom < 1) throw Error("Student's t needs at least one degree of freedom");
    const double nu = degreesOfFreedom;
    const double tail = 0.5 * regularisedIncompleteBeta(nu / 2, 0.5, nu / (nu + t * t));
    return t >= 0 ? 1 - tail : tail;
}

double studentTQuantile(double p, int degreesOfFreedom) {
    if (!(p > 0 && p < 1)) throw Error("a quantile needs a probability strictly between 0 and 1");
    double low = -1e6, high = 1e6;
    for (int i = 0; i < 200 && high - low > 1e-13 * std::max(1.0, std::abs(low)); ++i) {
        const double middle = (low + high) / 2;
        (studentTCdf(middle, degreesOfFreedom) < p ? low : high) = middle;
    }
    return (low + high) / 2;
}

} // namespace graft
