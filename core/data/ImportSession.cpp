#include "data/ImportSession.h"

#include "common/Sha256.h"
#include "data/ImageDecoding.h"
#include "data/ProjectSplits.h"
#include "project/DomainStore.h"

namespace graft {
namespace {

constexpr std::int64_t kImagesPerCommit = 1000;
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

} // namespace

ImportSession::ImportSession(Database& db, ImportOptions options, std::string_view stage)
    : db_(db), store_(db), options_(std::move(options)), stage_(stage),
      transaction_(std::make_unique<Transaction>(db)) {
    if (options_.domain) checkDomainName(*options_.domain);
    if (options_.task) labelTask_ = task(*options_.task);
}

ImportSession::~ImportSession() = default;

bool ImportSession::shouldContinue() {
    if (options_.stop.stop_requested()) report_.cancelled = true;
    return !report_.cancelled;
}

void ImportSession::setTotal(std::int64_t total) { total_ = total; }

PreparedImage prepareImage(std::vector<std::uint8_t> encoded) {
    const auto shape = probeImage(encoded);
    auto sha256 = sha256Hex(encoded);
    return {std::move(encoded), shape, std::move(sha256)};
}

void ImportSession::add(std::vector<std::uint8_t> encoded, const std::string& source,
                        const std::optional<std::string>& label, std::optional<ImageShape> knownShape) {
    try {
        const ImageShape shape = knownShape ? *knownShape : probeImage(encoded);
        add(PreparedImage{std::move(encoded), shape, {}}, source, label);
    } catch (const ImageDecodeError& error) {
        report_.skipped.push_back({source, error.what()});
        advance();
    }
}

void ImportSession::add(PreparedImage prepared, const std::string& source, const std::optional<std::string>& label) {
    add(std::move(prepared), source, label ? std::vector<TaskLabel>{{labelTask_, *label}} : std::vector<TaskLabel>{});
}

std::int64_t ImportSession::task(const std::string& name) { return TaskStore(db_).ensure(name); }

void ImportSession::add(PreparedImage prepared, const std::string& source, const std::vector<TaskLabel>& labels) {
    const auto& shape = prepared.shape;
    const auto result = store_.addImage({std::move(prepared.encoded), shape.width, shape.height, shape.channels, source}, prepared.sha256);
    if (!result.added) {
        report_.duplicates.push_back(
            {source, "same content as " + result.existingSource + keepDomain(result.sha256) + keepLabels(result.sha256, labels)});
    } else {
        ++report_.added;
        if (options_.domain) DomainStore(db_).setDomain(result.sha256, *options_.domain);
        for (const auto& [task, className] : labels) {
            ProjectStore labelling(db_, task);
            labelling.setLabel(result.sha256, labelling.ensureClass(className));
        }
        if (!labels.empty()) ++report_.labeled;
    }
    advance();
}

// A duplicate takes the import's domain when it had none; one it had is kept and reported.
std::string ImportSession::keepDomain(const std::string& sha256) {
    if (!options_.domain) return "";
    DomainStore domains(db_);
    const auto existing = domains.domainOf(sha256);
    if (!existing) {
        domains.setDomain(sha256, *options_.domain);
        return "; now in domain " + *options_.domain;
    }
    return *existing == *options_.domain ? "" : "; kept its domain " + *existing;
}

// The same for labels, task by task: a second import of the same images (by severity after
// disease, say) labels them in its task.
std::string ImportSession::keepLabels(const std::string& sha256, const std::vector<TaskLabel>& labels) {
    std::string note;
    for (const auto& [task, className] : labels) {
        ProjectStore labelling(db_, task);
        const auto existing = labelling.classOf(sha256);
        const auto taskName = TaskStore(db_).name(task);
        if (!existing) {
            labelling.setLabel(sha256, labelling.ensureClass(className));
            note += "; now labelled " + className + " in task " + taskName;
        } else if (const auto kept = labelling.classNames().at(*existing); kept != className) {
            note += "; kept its label " + kept + " in task " + taskName;
        }
    }
    return note;
}

void ImportSession::skip(const std::string& source, const std::string& reason) {
    report_.skipped.push_back({source, reason});
    advance();
}

void ImportSession::advance() {
    ++done_;
    if (++sinceCommit_ >= kImagesPerCommit) commitChunk();
    const auto now = std::chrono::steady_clock::now();
    if (options_.progress && (now - lastProgress_ >= kProgressInterval || done_ == total_)) {
        lastProgress_ = now;
        options_.progress({stage_, done_, total_});
    }
}

// Each chunk is split before it commits, so a killed import leaves no labelled image outside a
// split, where training would never see it (found by the crash tests).
void ImportSession::commitChunk() {
    splitImagesWithoutSplit(store_);
    transaction_->commit();
    transaction_ = std::make_unique<Transaction>(db_);
    sinceCommit_ = 0;
}

ImportReport ImportSession::finish() {
    splitImagesWithoutSplit(store_);
    transaction_->commit();
    transaction_.reset();
    return report_;
}

} // namespace graft
