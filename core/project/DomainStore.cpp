#include "project/DomainStore.h"

#include "common/Error.h"
#include "project/ProjectStore.h"

#include <algorithm>
#include <map>

namespace graft {

void checkDomainName(const std::string& name) {
    if (name.empty()) throw Error("a domain name cannot be empty");
    if (name.size() > 100) throw Error("the domain name '" + name.substr(0, 40) + "...' is longer than 100 characters");
    for (const char c : name) {
        if (c == ',') throw Error("the domain name '" + name + "' holds a comma, which separates domains in lists");
        if (static_cast<unsigned char>(c) < 0x20) throw Error("the domain name '" + name + "' holds a control character");
    }
}

void DomainStore::setDomain(const std::string& sha256, const std::string& domain) {
    checkDomainName(domain);
    db_.prepare("INSERT INTO image_domains(image, domain) VALUES(?, ?) "
                "ON CONFLICT(image) DO UPDATE SET domain = excluded.domain")
        .bind(1, sha256)
        .bind(2, domain)
        .run();
}

void DomainStore::clearDomain(const std::string& sha256) {
    db_.prepare("DELETE FROM image_domains WHERE image = ?").bind(1, sha256).run();
}

std::optional<std::string> DomainStore::domainOf(const std::string& sha256) {
    auto statement = db_.prepare("SELECT domain FROM image_domains WHERE image = ?");
    statement.bind(1, sha256);
    if (!statement.step()) return std::nullopt;
    return statement.columnText(0);
}

std::unordered_map<std::string, std::string> DomainStore::domainByImage() {
    std::unordered_map<std::string, std::string> domains;
    auto statement = db_.prepare("SELECT image, domain FROM image_domains");
    while (statement.step()) domains.emplace(statement.columnText(0), statement.columnText(1));
    return domains;
}

std::vector<std::string> DomainStore::domainNames() {
    std::vector<std::string> names;
    auto statement = db_.prepare("SELECT DISTINCT domain FROM image_domains ORDER BY domain");
    while (statement.step()) names.push_back(statement.columnText(0));
    return names;
}

void DomainStore::requireDomain(const std::string& domain, const std::string& project) {
    const auto known = domainNames();
    if (std::find(known.begin(), known.end(), domain) != known.end()) return;
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    throw Error(project + ": no domain '" + domain + "' (" +
                (list.empty() ? std::string("no image has a domain; import with --domain") : "domains: " + list) + ")");
}

std::vector<DomainSummary> DomainStore::summaries() {
    // Few rows per (domain, split, labelled) group, so SQL counts them.
    auto statement = db_.prepare(
        "SELECT coalesce(d.domain, ''), s.split, l.image IS NOT NULL, count(*) FROM images i "
        "LEFT JOIN image_domains d ON d.image = i.sha256 LEFT JOIN labels l ON l.image = i.sha256 AND l.task_id = " + std::to_string(kFirstTask) + " "
        "LEFT JOIN splits s ON s.image = i.sha256 GROUP BY 1, 2, 3");
    std::map<std::string, DomainSummary> byName;
    while (statement.step()) {
        auto& summary = byName[statement.columnText(0)];
        summary.name = statement.columnText(0);
        const auto count = statement.columnInt(3);
        summary.images += count;
        if (statement.columnInt(2) == 0) {
            summary.unlabelled += count;
            continue;
        }
        if (statement.isNull(1)) continue;
        const auto split = parseSplit(statement.columnText(1));
        (split == Split::Train ? summary.train : split == Split::Val ? summary.val : summary.test) += count;
    }
    std::vector<DomainSummary> summaries;
    for (auto& [name, summary] : byName)
        if (!name.empty()) summaries.push_back(std::move(summary));
    if (const auto none = byName.find(""); none != byName.end()) summaries.push_back(std::move(none->second));
    return summaries;
}

} // namespace graft
