// The Wilson score interval for a binomial proportion: the range of true rates a count of
// `successes` out of `trials` is consistent with at the chosen confidence (95 % by default).
// Unlike the normal approximation it stays inside [0, 1] and behaves for 0 or all successes, so
// it suits the small monthly samples of a county bureau (28 of 30 batches passing says the true
// pass rate lies between about 78.7 % and 98.2 %).
#pragma once

#include <cstdint>
#include <optional>

namespace qledger {

// The two-sided 95 % normal quantile, Φ⁻¹(0.975).
inline constexpr double kZ95 = 1.959963984540054;

struct WilsonInterval {
  double lower = 0;
  double upper = 0;
  friend bool operator==(const WilsonInterval&, const WilsonInterval&) = default;
};

// The interval for `successes` out of `trials`; nullopt unless 0 ≤ successes ≤ trials and
// trials > 0.
std::optional<WilsonInterval> wilson_interval(std::int64_t successes, std::int64_t trials,
                                              double z = kZ95);

}  // namespace qledger
