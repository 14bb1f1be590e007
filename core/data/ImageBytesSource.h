#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

// The encoded bytes of a list of images, fetched one at a time by the threads that decode them:
// held in memory, or read from the project file when asked for (ProjectImageBytes), so a run's
// memory need not grow with its images.
class ImageBytesSource {
public:
    virtual ~ImageBytesSource() = default;
    virtual std::int64_t size() const = 0;
    // Safe to call from several threads at once. Throws graft::Error naming the image.
    virtual std::vector<std::uint8_t> bytes(std::int64_t index) const = 0;
    // How an error message names image `index`: its file, where known, else its number from 1.
    virtual std::string nameOf(std::int64_t index) const { return std::to_string(index + 1); }
};

class ImageBytesInMemory final : public ImageBytesSource {
public:
    explicit ImageBytesInMemory(std::vector<std::vector<std::uint8_t>> encoded) : encoded_(std::move(encoded)) {}
    std::int64_t size() const override { return std::int64_t(encoded_.size()); }
    std::vector<std::uint8_t> bytes(std::int64_t index) const override { return encoded_.at(std::size_t(index)); }

private:
    std::vector<std::vector<std::uint8_t>> encoded_;
};

} // namespace graft
