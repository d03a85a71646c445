// The Wilson score interval against values worked out by hand (z = 1.96, z² = 3.8415):
//   centre = (p + z²/2n) / (1 + z²/n),  half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)
#include <doctest/doctest.h>

#include "qledger/wilson_interval.hpp"

using namespace qledger;

TEST_SUITE("reports") {
  TEST_CASE("Wilson interval: hand-computed values") {
    // 28 of 30: p = 0.93333, z²/n = 0.12805, 1 + z²/n = 1.12805;
    // centre = (0.93333 + 0.06403) / 1.12805 = 0.88414;
    // half = 1.96 · √(0.0020741 + 0.0010671) / 1.12805 = 1.96 · 0.056046 / 1.12805 = 0.097379;
    // → [0.78676, 0.98152], the "28/30 → [0.787, 0.982]" of the issue.
    auto w = wilson_interval(28, 30);
    REQUIRE(w);
    CHECK(w->lower == doctest::Approx(0.78676).epsilon(1e-4));
    CHECK(w->upper == doctest::Approx(0.98152).epsilon(1e-4));

    // 0 of 10: centre = half = (z²/2n)/(1 + z²/n) → [0, z²/(n + z²)] = [0, 3.8415/13.8415 =
    // 0.27753].
    w = wilson_interval(0, 10);
    REQUIRE(w);
    CHECK(w->lower == 0.0);
    CHECK(w->upper == doctest::Approx(0.27753).epsilon(1e-4));

    // 10 of 10: the mirror image → [10/13.8415 = 0.72247, 1] (exactly 1, not 0.99999…).
    w = wilson_interval(10, 10);
    REQUIRE(w);
    CHECK(w->lower == doctest::Approx(0.72247).epsilon(1e-4));
    CHECK(w->upper == 1.0);

    // 1 of 2: symmetric about 0.5; half = 1.96 · √(0.125 + 0.24010) / 2.92075 = 0.40547.
    w = wilson_interval(1, 2);
    REQUIRE(w);
    CHECK(w->lower == doctest::Approx(0.09453).epsilon(1e-4));
    CHECK(w->upper == doctest::Approx(0.90547).epsilon(1e-4));
    CHECK(w->lower + w->upper == doctest::Approx(1.0));

    // 93 of 100: says little about a 95 % target — the interval [0.8625, 0.9657] straddles it.
    w = wilson_interval(93, 100);
    REQUIRE(w);
    CHECK(w->lower == doctest::Approx(0.86250).epsilon(1e-4));
    CHECK(w->upper == doctest::Approx(0.96568).epsilon(1e-4));
  }

  TEST_CASE("Wilson interval: undefined inputs") {
    CHECK_FALSE(wilson_interval(0, 0));
    CHECK_FALSE(wilson_interval(3, 2));
    CHECK_FALSE(wilson_interval(-1, 2));
    CHECK_FALSE(wilson_interval(1, -2));
  }
}
