#include "project/ProjectImageBytes.h"

#include "common/Error.h"

namespace graft {

ProjectImageBytes::ProjectImageBytes(std::filesystem::path project, std::vector<std::string> sha256s,
                                     std::vector<std::string> names)
    : project_(std::move(project)), sha256s_(std::move(sha256s)), names_(std::move(names)) {
    if (!names_.empty() && names_.size() != sha256s_.size()) throw Error("ProjectImageBytes: one name per image, or none");
}

std::string ProjectImageBytes::nameOf(std::int64_t index) const {
    return names_.empty() ? ImageBytesSource::nameOf(index) : names_.at(std::size_t(index));
}

ProjectImageBytes::~ProjectImageBytes() = default;

std::vector<std::uint8_t> ProjectImageBytes::bytes(std::int64_t index) const {
    const auto& sha256 = sha256s_.at(std::size_t(index));
    std::unique_ptr<Database> connection;
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            connection = std::move(idle_.back());
            idle_.pop_back();
        }
    }
    if (!connection) connection = std::make_unique<Database>(project_.string(), Database::Mode::ReadOnly);
    std::vector<std::uint8_t> data;
    {
        auto statement = connection->prepare("SELECT data FROM images WHERE sha256 = ?");
        statement.bind(1, sha256);
        if (!statement.step())
            throw Error(project_.string() + ": image " + sha256 + " is no longer in the project (removed while a run read it)");
        data = statement.columnBlob(0);
    }
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
    }
    return data;
}

} // namespace graft
