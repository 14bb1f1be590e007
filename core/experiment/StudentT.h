#pragma once

namespace graft {

// Student's t distribution with `degreesOfFreedom` >= 1, through the regularised incomplete beta
// function (no statistics library in the stack).
double studentTCdf(double t, int degreesOfFreedom);
// The t with cdf(t) = p, 0 < p < 1.
double studentTQuantile(double p, int degreesOfFreedom);

} // namespace graft
