#pragma once

#include "project/Database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace graft {

// How many images a domain holds, and where: labelled ones (in the first task) by split, and those
// without a label.
struct DomainSummary {
    std::string name; // empty: the images that carry no domain
    std::int64_t images = 0;
    std::int64_t unlabelled = 0;
    std::int64_t train = 0;
    std::int64_t val = 0;
    std::int64_t test = 0;
};

// Throws graft::Error saying what is wrong with a domain name: empty, longer than 100 characters,
// or holding a comma (lists of domains are comma-separated) or a control character.
void checkDomainName(const std::string& name);

// Which domain each image comes from (lab or field photos, scanner A or B). An image has at most
// one. A view over a Database it does not own; batch writes belong in the caller's Transaction.
class DomainStore {
public:
    explicit DomainStore(Database& db) : db_(db) {}

    void setDomain(const std::string& sha256, const std::string& domain);
    void clearDomain(const std::string& sha256);
    std::optional<std::string> domainOf(const std::string& sha256);
    // Every image that has a domain, with it.
    std::unordered_map<std::string, std::string> domainByImage();
    // Sorted by name.
    std::vector<std::string> domainNames();
    // Throws graft::Error "PROJECT: no domain 'NAME' (domains: ...)" when no image has it.
    void requireDomain(const std::string& domain, const std::string& project);
    // One entry per domain, sorted by name, and last, when any image has none, one named "".
    std::vector<DomainSummary> summaries();

private:
    Database& db_;
};

} // namespace graft
