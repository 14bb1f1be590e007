#include "data/CsvImport.h"

#include "data/ImageDecoding.h"
#include "data/ImportSession.h"

#include <fstream>
#include <optional>

namespace graft {

std::vector<std::string> parseCsvLine(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

ImportReport importCsv(Database& db, const std::filesystem::path& csvFile, const ImportOptions& options) {
    std::ifstream file(csvFile);
    if (!file) throw Error(csvFile.string() + ": cannot be read");
    struct Row {
        std::size_t lineNumber;
        std::vector<std::string> fields;
    };
    std::vector<Row> rows;
    std::size_t lineNumber = 0;
    for (std::string line; std::getline(file, line);) {
        ++lineNumber;
        auto fields = parseCsvLine(line);
        const bool blank = fields.size() == 1 && fields.front().empty();
        const bool header = lineNumber == 1 && fields.front() == "path";
        if (!blank && !header) rows.push_back({lineNumber, std::move(fields)});
    }

    ImportSession session(db, options, "Importing CSV");
    session.setTotal(std::int64_t(rows.size()));
    const auto folder = csvFile.parent_path();
    for (const auto& [line, fields] : rows) {
        if (!session.shouldContinue()) break;
        const std::string where = csvFile.string() + ":" + std::to_string(line);
        if (fields.size() != 2) {
            session.skip(where, "expected 2 fields (path,label), found " + std::to_string(fields.size()));
            continue;
        }
        std::filesystem::path imagePath = fields[0];
        if (imagePath.is_relative()) imagePath = folder / imagePath;
        const std::optional<std::string> label = fields[1].empty() ? std::nullopt : std::optional(fields[1]);
        try {
            session.add(readFileBytes(imagePath), imagePath.string(), label);
        } catch (const ImageDecodeError& error) {
            session.skip(where, error.what());
        }
    }
    return session.finish();
}

} // namespace graft
