#pragma once

#include <cstdint>

namespace graft {

// SplitMix64: a tiny generator whose stream depends on the seed alone, on every platform
// (std::uniform_real_distribution's output is implementation-defined).
class Draws {
public:
    explicit Draws(std::uint64_t seed) : state_(seed) {}
    double uniform(double low, double high) { return low + (high - low) * double(next() >> 11) * 0x1.0p-53; }
    int integer(int low, int high) { return low + int(next() % std::uint64_t(high - low + 1)); } // inclusive
    bool chance(double probability) { return uniform(0, 1) < probability; }

private:
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint64_t state_;
};

} // namespace graft
