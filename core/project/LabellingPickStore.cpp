#include "project/LabellingPickStore.h"

namespace graft {

std::vector<std::string> LabellingPickStore::picks(std::int64_t experimentId, std::string_view strategy, std::uint64_t seed,
                                                   int round) {
    auto query = db_.prepare("SELECT image FROM labelling_picks WHERE experiment_id = ? AND strategy = ? AND seed = ? "
                             "AND round = ? ORDER BY position");
    query.bind(1, experimentId).bind(2, strategy).bind(3, std::int64_t(seed)).bind(4, round);
    std::vector<std::string> images;
    while (query.step()) images.push_back(query.columnText(0));
    return images;
}

bool LabellingPickStore::picked(std::int64_t experimentId, std::string_view strategy, std::uint64_t seed, int round) {
    auto query = db_.prepare("SELECT 1 FROM labelling_picks WHERE experiment_id = ? AND strategy = ? AND seed = ? "
                             "AND round = ? LIMIT 1");
    query.bind(1, experimentId).bind(2, strategy).bind(3, std::int64_t(seed)).bind(4, round);
    return query.step();
}

void LabellingPickStore::record(std::int64_t experimentId, std::string_view strategy, std::uint64_t seed, int round,
                                const std::vector<std::string>& images) {
    Transaction transaction(db_);
    auto insert = db_.prepare("INSERT INTO labelling_picks(experiment_id, strategy, seed, round, position, image) "
                              "VALUES(?, ?, ?, ?, ?, ?)");
    for (std::size_t position = 0; position < images.size(); ++position) {
        insert.bind(1, experimentId).bind(2, strategy).bind(3, std::int64_t(seed)).bind(4, round);
        insert.bind(5, std::int64_t(position)).bind(6, images[position]);
        insert.run();
        insert.reset();
    }
    transaction.commit();
}

} // namespace graft
