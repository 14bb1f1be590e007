#include "data/CsvImport.h"

#include "data/ImageDecoding.h"
#include "data/ImportSession.h"
#include "data/WindowedPreparation.h"

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
    std::vector<std::string> header;
    std::size_t lineNumber = 0;
    for (std::string line; std::getline(file, line);) {
        ++lineNumber;
        auto fields = parseCsvLine(line);
        const bool blank = fields.size() == 1 && fields.front().empty();
        if (lineNumber == 1 && fields.front() == "path") header = std::move(fields);
        else if (!blank) rows.push_back({lineNumber, std::move(fields)});
    }

    ImportSession session(db, options, "Importing CSV");
    // path,label (whatever the second column's name, or no header): one label, in options.task, as
    // before tasks. path,disease,severity: a task per column, named by the header, made when new.
    std::vector<std::int64_t> columnTasks;
    if (header.size() > 2) {
        for (std::size_t column = 1; column < header.size(); ++column) {
            if (header[column].empty())
                throw Error(csvFile.string() + ":1: column " + std::to_string(column + 1) + " has no task name");
            columnTasks.push_back(session.task(header[column]));
        }
    }
    const std::size_t fieldCount = columnTasks.empty() ? 2 : columnTasks.size() + 1;
    const std::string fieldNames = header.empty() ? "path,label" : [&] {
        std::string names;
        for (const auto& name : header) names += (names.empty() ? "" : ",") + name;
        return names;
    }();
    session.setTotal(std::int64_t(rows.size()));
    const auto folder = csvFile.parent_path();
    struct PreparedRow {
        std::filesystem::path imagePath;
        std::optional<PreparedImage> image;
        std::string skipped;
    };
    // Rows are read, decoded and hashed on every core, and written in their order.
    prepareInWindows<PreparedRow>(
        rows.size(),
        [&](std::size_t i) -> PreparedRow {
            const auto& fields = rows[i].fields;
            if (fields.size() != fieldCount)
                return {{}, std::nullopt, "expected " + std::to_string(fieldCount) + " fields (" + fieldNames + "), found " +
                                              std::to_string(fields.size())};
            std::filesystem::path imagePath = fields[0];
            if (imagePath.is_relative()) imagePath = folder / imagePath;
            try {
                return {imagePath, prepareImage(readFileBytes(imagePath)), {}};
            } catch (const ImageDecodeError& error) {
                return {imagePath, std::nullopt, error.what()};
            }
        },
        [&](std::size_t i, PreparedRow& row) {
            if (!row.image) return session.skip(csvFile.string() + ":" + std::to_string(rows[i].lineNumber), row.skipped);
            const auto& fields = rows[i].fields;
            if (columnTasks.empty())
                return session.add(std::move(*row.image), row.imagePath.string(),
                                   fields[1].empty() ? std::nullopt : std::optional(fields[1]));
            std::vector<ImportSession::TaskLabel> labels;
            for (std::size_t column = 0; column < columnTasks.size(); ++column)
                if (!fields[column + 1].empty()) labels.push_back({columnTasks[column], fields[column + 1]});
            session.add(std::move(*row.image), row.imagePath.string(), labels);
        },
        [&] { return session.shouldContinue(); });
    return session.finish();
}

} // namespace graft
