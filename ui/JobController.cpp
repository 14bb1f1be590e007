#include "JobController.h"

#include "CvImage.h"

#include "common/Error.h"
#include "data/AutoImport.h"
#include "domain/DomainGap.h"
#include "experiment/BackboneRanking.h"
#include "experiment/DemoProject.h"
#include "models/Zoo.h"
#include "data/FolderImport.h"
#include "data/ImageDecoding.h"
#include "explain/ImageTryout.h"
#include "export/Bundle.h"
#include "selection/Suggestions.h"
#include "project/ProjectFile.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <algorithm>

namespace graft::ui {

// The core's observer, on the worker thread: it only queues signal emissions.
class JobController::Forwarder : public ExperimentObserver {
public:
    explicit Forwarder(JobController* job) : job_(job) {}

    void onStep(const StepEvent& event) override {
        QMetaObject::invokeMethod(job_, [job = job_, event] {
            Q_EMIT job->stepDone(event.step, event.epoch, event.stepsPerEpoch, event.loss);
        }, Qt::QueuedConnection);
    }
    void onEpoch(const EpochEvent& event) override {
        QMetaObject::invokeMethod(job_, [job = job_, event] {
            Q_EMIT job->epochDone(event);
        }, Qt::QueuedConnection);
    }
    void onProgress(const ExperimentProgress& progress) override {
        QMetaObject::invokeMethod(job_, [job = job_, progress] {
            Q_EMIT job->trialsDone(progress.runsDone, progress.runsTotal, progress.etaSeconds,
                                   QString::fromStdString(progress.current));
        }, Qt::QueuedConnection);
    }

private:
    JobController* job_;
};

JobController::JobController(QObject* parent) : QObject(parent), forwarder_(std::make_unique<Forwarder>(this)) {}

JobController::~JobController() {
    worker_.request_stop();
    if (worker_.joinable()) worker_.join();
}

bool JobController::launch(std::function<std::tuple<qint64, bool, QString>(std::stop_token)> job) {
    if (running_) return false;
    if (worker_.joinable()) worker_.join(); // the previous job has ended; reap its thread
    running_ = true;
    worker_ = std::jthread([this, job = std::move(job)](std::stop_token stop) {
        qint64 id = 0;
        bool succeeded = false;
        QString message;
        try {
            std::tie(id, succeeded, message) = job(stop);
        } catch (const std::exception& error) {
            message = QString::fromStdString(error.what());
        }
        QMetaObject::invokeMethod(this, [this, id, succeeded, message] {
            running_ = false;
            Q_EMIT finished(id, succeeded, message);
        }, Qt::QueuedConnection);
    });
    return true;
}

bool JobController::startTraining(const TrainingRequest& request) {
    return launch([this, request](std::stop_token stop) {
        const auto result = runTraining(request, *forwarder_, stop);
        QString message = QString::fromStdString(std::string(runStatusName(result.status)));
        if (result.valAccuracy) message += QString(", validation accuracy %1").arg(*result.valAccuracy, 0, 'f', 4);
        return std::tuple{qint64(result.runId), result.status == RunStatus::Finished, message};
    });
}

bool JobController::startExperiment(const std::filesystem::path& project, std::int64_t experimentId) {
    return launch([this, project, experimentId](std::stop_token stop) {
        const auto summary = runExperiment(project, experimentId, *forwarder_, stop);
        const QString message = summary.cancelled ? tr("stopped; the trials resume next time")
                                                  : tr("%1 trials trained, %2 evaluated again, %3 already done, %4 failed")
                                                        .arg(summary.trained)
                                                        .arg(summary.evaluated)
                                                        .arg(summary.skipped)
                                                        .arg(summary.failed);
        return std::tuple{qint64(experimentId), !summary.cancelled && summary.failed == 0, message};
    });
}

// Progress from the worker, re-emitted on the owner's thread.
ProgressCallback JobController::progressForwarder() {
    return [this](const Progress& update) {
        QMetaObject::invokeMethod(this, [this, stage = QString::fromUtf8(update.stage.data(), qsizetype(update.stage.size())),
                                         done = update.done, total = update.total] {
            Q_EMIT progressed(stage, done, total);
        }, Qt::QueuedConnection);
    };
}

bool JobController::startImport(const std::filesystem::path& project, const std::vector<std::filesystem::path>& paths) {
    return launch([this, project, paths](std::stop_token stop) {
        Database db = openProject(project);
        const auto report = importPaths(db, paths, {}, {progressForwarder(), stop, std::nullopt, std::nullopt});
        QString message = report.cancelled ? tr("Import stopped: %1 images were added before it (they stay).").arg(report.added)
                                           : tr("%1 images added (%2 labelled).").arg(report.added).arg(report.labeled);
        if (!report.duplicates.empty()) message += " " + tr("%1 were already in the project.").arg(report.duplicates.size());
        if (!report.skipped.empty()) {
            message += "\n" + tr("%1 files skipped:").arg(report.skipped.size());
            constexpr std::size_t kListed = 20;
            for (std::size_t i = 0; i < std::min(kListed, report.skipped.size()); ++i)
                message += "\n" + QString::fromStdString(report.skipped[i].path + ": " + report.skipped[i].reason);
            if (report.skipped.size() > kListed) message += "\n" + tr("… and %1 more").arg(report.skipped.size() - kListed);
        }
        return std::tuple{qint64(report.added), !report.cancelled, message};
    });
}

bool JobController::startDemoCreation(const std::filesystem::path& project, const std::filesystem::path& digitsSheet) {
    return launch([this, project, digitsSheet](std::stop_token stop) {
        const auto demo = createDemoProject(project, digitsSheet, {progressForwarder(), stop, std::nullopt, std::nullopt});
        return std::tuple{qint64(demo.experimentId), true,
                          tr("Demo project created: %1 labelled digits, %2 unlabelled, %3 held out.")
                              .arg(demo.labelled)
                              .arg(demo.unlabelled)
                              .arg(demo.heldOut)};
    });
}

bool JobController::startExport(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& target,
                                bool bundle, const RunExportOptions& options) {
    return launch([this, project, runId, target, bundle, options](std::stop_token stop) {
        const auto progress = progressForwarder();
        const ExportReplay replay = bundle ? exportRunBundle(project, runId, target, progress, stop).replay
                                           : exportRun(project, runId, target, options, progress, stop);
        const QString message = tr("Replayed %1 %2 images through the written model: the top class agrees on all, "
                                   "outputs within %3 of Graft's (tolerance %4).")
                                    .arg(replay.images)
                                    .arg(QString::fromStdString(std::string(splitName(replay.split))))
                                    .arg(replay.maxDifference, 0, 'g', 2)
                                    .arg(replay.tolerance, 0, 'g', 2);
        return std::tuple{qint64(runId), true, message};
    });
}

bool JobController::startRanking(const std::filesystem::path& project) {
    return launch([this, project](std::stop_token stop) {
        const auto candidates = cachedBackbones(weightsCacheDir());
        if (candidates.empty())
            throw Error(tr("No pretrained backbones in %1 to rank: download or import some on the Model page.")
                            .arg(QString::fromStdString(weightsCacheDir().string()))
                            .toStdString());
        auto ranks = rankBackbones(project, candidates, progressForwarder(), stop);
        const auto scored = std::count_if(ranks.begin(), ranks.end(), [](const BackboneRank& rank) { return rank.error.empty(); });
        const QString message = tr("%1 of %2 backbones scored.").arg(scored).arg(ranks.size());
        QMetaObject::invokeMethod(this, [this, ranks = std::move(ranks)] { Q_EMIT ranked(ranks); }, Qt::QueuedConnection);
        return std::tuple{qint64(scored), true, message};
    });
}

bool JobController::startDownload(const std::string& zooEntryName) {
    return launch([this, zooEntryName](std::stop_token stop) {
        const auto file = downloadZooWeights(zooEntry(zooEntryName), weightsCacheDir(), progressForwarder(), stop);
        return std::tuple{qint64(1), true, tr("Downloaded and checked %1.").arg(QString::fromStdString(file.string()))};
    });
}

bool JobController::startInspection(const std::filesystem::path& project, const std::vector<qint64>& runIds) {
    constexpr int kThumbnailSize = 96;
    return launch([this, project, runIds](std::stop_token stop) {
        std::vector<RunInspection> inspections;
        for (const auto runId : runIds) inspections.push_back(inspectRun(project, runId, kThumbnailSize, stop));
        QMetaObject::invokeMethod(this, [this, inspections = std::move(inspections)] { Q_EMIT inspected(inspections); },
                                  Qt::QueuedConnection);
        return std::tuple{qint64(runIds.size()), true, QString()};
    });
}

bool JobController::startExplanation(const std::filesystem::path& project, const std::vector<qint64>& runIds,
                                     const QString& sha256) {
    return launch([this, project, runIds, sha256](std::stop_token stop) {
        auto explanations = explainProjectImage(project, runIds, sha256, stop);
        QMetaObject::invokeMethod(this, [this, sha256, explanations = std::move(explanations)] { Q_EMIT explained(sha256, explanations); },
                                  Qt::QueuedConnection);
        return std::tuple{qint64(runIds.size()), true, QString()};
    });
}

bool JobController::startTryout(const TryoutSource& source, std::shared_ptr<std::shared_ptr<const ImageTryout>> model,
                                const std::vector<TryInput>& inputs) {
    return launch([this, source, model, inputs](std::stop_token stop) {
        const auto progress = progressForwarder();
        if (!*model) {
            progress({"loading the model and its held-out confidences", 0, 0});
            *model = std::make_shared<const ImageTryout>(source.bundle.empty() ? ImageTryout::ofRun(source.project, source.runId, stop)
                                                                               : ImageTryout::ofBundle(source.bundle));
        }
        std::vector<TryInput> expanded;
        for (const auto& input : inputs) {
            if (input.file.empty() || !std::filesystem::is_directory(input.file)) {
                expanded.push_back(input);
                continue;
            }
            std::vector<std::filesystem::path> found;
            for (const auto& entry : std::filesystem::recursive_directory_iterator(input.file))
                if (entry.is_regular_file() && hasImageExtension(entry.path())) found.push_back(entry.path());
            std::sort(found.begin(), found.end());
            for (const auto& file : found) expanded.push_back({QString::fromStdString(file.string()), file, {}});
        }
        qint64 done = 0;
        for (const auto& input : expanded) {
            if (stop.stop_requested()) return std::tuple{done, false, tr("Stopped after %1 of %2 images.").arg(done).arg(expanded.size())};
            progress({"trying images", done, qint64(expanded.size())});
            TriedImage tried;
            try {
                tried = (*model)->tryImage(input.name.toStdString(), input.file.empty() ? input.bytes : readFileBytes(input.file));
            } catch (const Error& error) { // unreadable file: its message names it
                tried.name = input.name.toStdString();
                tried.error = error.what();
            }
            TriedImageView view{QString::fromStdString(tried.name), {}, qImageOfRgb(tried.viewed), qImageOfRgb(tried.heatMap),
                                tried.familiarity, tried.unfamiliar, QString::fromStdString(tried.error)};
            for (const auto& score : tried.top) view.top.emplace_back(QString::fromStdString(score.label), score.probability);
            QMetaObject::invokeMethod(this, [this, view] { Q_EMIT this->tried(view); }, Qt::QueuedConnection);
            ++done;
        }
        return std::tuple{done, true, tr("Tried %1 image(s) on %2.").arg(done).arg(QString::fromStdString((*model)->description()))};
    });
}

namespace {

// The cached backbone of that name, or an error saying where it was looked for.
PretrainedBackbone cachedBackboneNamed(const QString& name) {
    if (auto backbone = cachedBackbone(name.toStdString(), weightsCacheDir())) return *backbone;
    throw Error(QCoreApplication::translate("JobController", "The backbone %1 is no longer in %2.")
                    .arg(name, QString::fromStdString(weightsCacheDir().string()))
                    .toStdString());
}

} // namespace

bool JobController::startDataMap(const std::filesystem::path& project, qint64 runId, const QString& backbone) {
    return launch([this, project, runId, backbone](std::stop_token stop) {
        DataMap map = runId > 0 ? mapRunFeatures(project, runId, progressForwarder(), stop)
                                : mapBackboneFeatures(project, cachedBackboneNamed(backbone), progressForwarder(), stop);
        const auto images = qint64(map.points.size());
        QMetaObject::invokeMethod(this, [this, map = std::move(map)] { Q_EMIT mapped(map); }, Qt::QueuedConnection);
        return std::tuple{images, true, QString()};
    });
}

bool JobController::startSuggestions(const std::filesystem::path& project, qint64 runId, const QString& backbone,
                                     const QString& strategy, int count, quint64 seed) {
    return launch([this, project, runId, backbone, strategy, count, seed](std::stop_token stop) {
        SuggestionRequest request;
        if (runId > 0) request.runId = runId;
        else request.backbone = cachedBackboneNamed(backbone);
        request.strategy = strategyFromName(strategy.toStdString());
        request.count = std::size_t(count);
        request.seed = seed;
        std::vector<SuggestedImage> images;
        for (const auto& suggestion : suggestImages(project, request, progressForwarder(), stop))
            images.push_back({QString::fromStdString(suggestion.sha256), suggestion.score,
                              QString::fromStdString(suggestion.predicted.value_or("")), suggestion.confidence.value_or(-1)});
        const auto suggested = qint64(images.size());
        QMetaObject::invokeMethod(this, [this, images = std::move(images)] { Q_EMIT this->suggested(images); }, Qt::QueuedConnection);
        return std::tuple{suggested, true, QString()};
    });
}

bool JobController::startDomainGap(const std::filesystem::path& project, const QString& backbone, const QStringList& sets) {
    return launch([this, project, backbone, sets](std::stop_token stop) {
        DomainGapRequest request;
        request.backbone = cachedBackboneNamed(backbone);
        for (const auto& set : sets) request.sets.push_back(set.toStdString());
        DomainGapReport report = measureDomainGap(project, request, progressForwarder(), stop);
        const auto images = report.sets.empty() ? qint64(0) : qint64(report.sets.back().images);
        QMetaObject::invokeMethod(this, [this, report = std::move(report)] { Q_EMIT gapMeasured(report); }, Qt::QueuedConnection);
        return std::tuple{images, true, QString()};
    });
}

void JobController::cancel() { worker_.request_stop(); }

} // namespace graft::ui
