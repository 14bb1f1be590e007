#include "train/ProjectFeatureStore.h"

#include "common/Error.h"
#include "project/ProjectFile.h"

#include <sstream>

namespace graft {
namespace {

std::string shapeText(const torch::Tensor& row) {
    std::string text;
    for (const auto dim : row.sizes()) text.append(text.empty() ? "" : " ").append(std::to_string(dim));
    return text;
}

std::vector<std::int64_t> parseShape(const std::string& text) {
    std::vector<std::int64_t> shape;
    std::istringstream stream(text);
    for (std::int64_t dim = 0; stream >> dim;) shape.push_back(dim);
    return shape;
}

} // namespace

ProjectFeatureStore::ProjectFeatureStore(const std::filesystem::path& project) : db_(openProject(project)) {}

bool ProjectFeatureStore::has(const std::string& key) {
    auto update = db_.prepare("UPDATE feature_sets SET last_used = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                              "WHERE key = ? AND complete = 1");
    update.bind(1, key).run();
    return db_.changes() > 0;
}

bool ProjectFeatureStore::write(const std::string& key, std::int64_t images, int batchSize,
                                const std::function<torch::Tensor(std::int64_t, std::int64_t)>& featuresOf,
                                std::stop_token stop) {
    db_.prepare("DELETE FROM feature_sets WHERE key = ?").bind(1, key).run();
    for (std::int64_t begin = 0; begin < images; begin += batchSize) {
        if (stop.stop_requested()) return false;
        const auto end = std::min(begin + batchSize, images);
        const auto features = featuresOf(begin, end).to(torch::kCPU, torch::kFloat32).contiguous();
        Transaction transaction(db_);
        if (begin == 0)
            db_.prepare("INSERT INTO feature_sets(key, shape, images) VALUES(?, ?, ?)")
                .bind(1, key)
                .bind(2, shapeText(features[0]))
                .bind(3, images)
                .run();
        auto insert = db_.prepare("INSERT INTO features(set_key, item, data) VALUES(?, ?, ?)");
        for (std::int64_t i = 0; i < end - begin; ++i) {
            const auto row = features[i];
            insert.reset();
            insert.bind(1, key).bind(2, begin + i).bindBlob(3, {static_cast<const std::uint8_t*>(row.data_ptr()),
                                                                std::size_t(row.nbytes())});
            insert.run();
        }
        transaction.commit();
    }
    db_.prepare("UPDATE feature_sets SET complete = 1 WHERE key = ?").bind(1, key).run();
    evictOldSets();
    return true;
}

torch::Tensor ProjectFeatureStore::rows(const std::string& key, const torch::Tensor& indices) {
    auto shapeQuery = db_.prepare("SELECT shape FROM feature_sets WHERE key = ? AND complete = 1");
    shapeQuery.bind(1, key);
    if (!shapeQuery.step()) throw Error(db_.path() + ": the stored features " + key.substr(0, 12) + " are gone");
    std::vector<std::int64_t> shape = parseShape(shapeQuery.columnText(0));
    shape.insert(shape.begin(), indices.size(0));
    auto result = torch::empty(shape, torch::kFloat32);
    const auto rowBytes = std::size_t(result.nbytes()) / std::size_t(std::max<std::int64_t>(1, indices.size(0)));
    auto* destination = static_cast<std::uint8_t*>(result.data_ptr());
    auto select = db_.prepare("SELECT data FROM features WHERE set_key = ? AND item = ?");
    const auto contiguous = indices.to(torch::kLong).contiguous();
    for (std::int64_t i = 0; i < contiguous.size(0); ++i) {
        select.reset();
        select.bind(1, key).bind(2, contiguous.data_ptr<std::int64_t>()[i]);
        if (!select.step())
            throw Error(db_.path() + ": stored features lack image " + std::to_string(contiguous.data_ptr<std::int64_t>()[i]));
        const auto blob = select.columnBlob(0);
        if (blob.size() != rowBytes) throw Error(db_.path() + ": stored features have rows of the wrong size");
        std::copy(blob.begin(), blob.end(), destination + std::size_t(i) * rowBytes);
    }
    return result;
}

std::int64_t ProjectFeatureStore::storedSets() { return db_.queryInt("SELECT count(*) FROM feature_sets"); }

void ProjectFeatureStore::evictOldSets() {
    // Incomplete sets younger than a day may still be being written by another process.
    db_.prepare("DELETE FROM feature_sets WHERE (complete = 1 AND key NOT IN "
                "(SELECT key FROM feature_sets WHERE complete = 1 ORDER BY last_used DESC, rowid DESC LIMIT ?)) "
                "OR (complete = 0 AND last_used < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day'))")
        .bind(1, kKeptSets)
        .run();
}

} // namespace graft
