#pragma once

#include <cstdint>
#include <string>

namespace graft {

struct TrainConfig {
    std::string arch = "tinynet";
    std::string init = "scratch"; // "scratch", or a weights file to start from
    int epochs = 5;
    int batchSize = 64;
    std::string optimizer = "adam"; // adam | sgd
    double learningRate = 3e-3;
    std::string schedule = "cosine"; // cosine (decays to 0 over the run) | constant
    double momentum = 0.9;          // sgd only
    double weightDecay = 0.0;
    std::uint64_t seed = 0;
    int labelsPerClass = 0;         // 0: every training image
    std::string device = "auto";    // auto | cpu | cuda

    std::string toJson() const;
    // Throws naming the bad field; fields absent from the JSON keep their defaults.
    static TrainConfig fromJson(const std::string& json);
    // Throws with a message a person can act on.
    void validate() const;
};

} // namespace graft
