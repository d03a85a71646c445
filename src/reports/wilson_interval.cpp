#include "qledger/wilson_interval.hpp"

#include <algorithm>
#include <cmath>

namespace qledger {

// center = (p + z²/2n) / (1 + z²/n),  half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
std::optional<WilsonInterval> wilson_interval(std::int64_t successes, std::int64_t trials,
                                              double z) {
  if (trials <= 0 || successes < 0 || successes > trials) return std::nullopt;
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denominator;
  const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;
  WilsonInterval interval;
  interval.lower = successes == 0 ? 0.0 : std::max(0.0, center - half);
  interval.upper = successes == trials ? 1.0 : std::min(1.0, center + half);
  return interval;
}

}  // namespace qledger
