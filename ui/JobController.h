#pragma once

#include "ImageExplanation.h"
#include "RunInspection.h"
#include "SuggestedImage.h"
#include "TriedImageView.h"

#include "domain/DomainGapReport.h"
#include "experiment/BackboneRank.h"
#include "experiment/ExperimentRunner.h"
#include "explain/DataMap.h"
#include "export/RunExport.h"
#include "train/TrainingSession.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace graft {
class ImageTryout;
}

namespace graft::ui {

// Runs a training run or an experiment's trials on a worker thread and re-emits the core's
// events as queued signals, so slots run on the thread that owns this object (the GUI's).
// Cancel asks the job to stop at the next step; the destructor cancels and waits.
class JobController : public QObject {
    Q_OBJECT

public:
    explicit JobController(QObject* parent = nullptr);
    ~JobController() override;

    // Each is refused (false) while a job is going. finished() reports the run's id, or the
    // experiment's.
    bool startTraining(const TrainingRequest& request);
    bool startExperiment(const std::filesystem::path& project, std::int64_t experimentId);
    // A bundle folder when `bundle`, else one file in `options.format`; finished() says how the
    // parity replay went.
    bool startExport(const std::filesystem::path& project, std::int64_t runId, const std::filesystem::path& target,
                     bool bundle, const RunExportOptions& options);
    // Folders, CSV files, IDX folders or images, as graft-cli import takes them; finished() gives
    // the number of images added and lists what was skipped, and why.
    bool startImport(const std::filesystem::path& project, const std::vector<std::filesystem::path>& paths);
    // createDemoProject; finished() gives the demo experiment's id, or says why it failed.
    bool startDemoCreation(const std::filesystem::path& project, const std::filesystem::path& digitsSheet);
    // Scores every backbone in the weights cache on the project, before any training; ranked()
    // carries the table.
    bool startRanking(const std::filesystem::path& project);
    // Downloads the zoo entry's weights into the cache (resuming, hash-checked); progress in bytes.
    bool startDownload(const std::string& zooEntryName);
    // Evaluates runs on their held-out images; inspected() carries them, in the order asked.
    bool startInspection(const std::filesystem::path& project, const std::vector<qint64>& runIds);
    // Each run's top 3 and Grad-CAM for one project image; explained() carries them, in order.
    bool startExplanation(const std::filesystem::path& project, const std::vector<qint64>& runIds, const QString& sha256);
    // Loads the model `source` names into `model` unless it holds it already (a run is evaluated
    // on its held-out images for the unfamiliarity threshold), then tries each input on it, files
    // under folders included; tried() carries each result as it comes.
    bool startTryout(const TryoutSource& source, std::shared_ptr<std::shared_ptr<const ImageTryout>> model,
                     const std::vector<TryInput>& inputs);
    // The map of the project's images by a finished run's features (runId > 0) or by the cached
    // backbone named `backbone`; mapped() carries it.
    bool startDataMap(const std::filesystem::path& project, qint64 runId, const QString& backbone);
    // The project's unlabelled images to label next, by `strategy` (selection/Selection's names) on
    // a finished run's features and predictions (runId > 0) or a cached backbone's; suggested()
    // carries them in order.
    bool startSuggestions(const std::filesystem::path& project, qint64 runId, const QString& backbone, const QString& strategy,
                          int count, quint64 seed);
    // How far the project's images (`sets`, as graft-cli gap's --domains takes them; empty: all)
    // lie from what the backbone named `backbone` (cached, or builtin:NAME) remembers of its
    // source, block by block; gapMeasured() carries the report.
    bool startDomainGap(const std::filesystem::path& project, const QString& backbone, const QStringList& sets);
    void cancel();
    bool isRunning() const { return running_; }

Q_SIGNALS:
    void stepDone(qint64 step, int epoch, qint64 stepsPerEpoch, double loss);
    void epochDone(const graft::EpochEvent& event);
    // Experiments: trials done of all, seconds left (-1: not known yet), the trial under way.
    void trialsDone(int done, int total, double etaSeconds, const QString& current);
    // Other long work (an export's replay, an import): `done` of `total` in `stage`.
    void progressed(const QString& stage, qint64 done, qint64 total);
    void ranked(const std::vector<graft::BackboneRank>& ranks);
    void inspected(const std::vector<graft::ui::RunInspection>& inspections);
    void explained(const QString& sha256, const std::vector<graft::ui::ImageExplanation>& explanations);
    void tried(const graft::ui::TriedImageView& image);
    void mapped(const graft::DataMap& map);
    void suggested(const std::vector<graft::ui::SuggestedImage>& images);
    void gapMeasured(const graft::DomainGapReport& report);
    // `id` 0 when the job could not start; `message` says how it ended.
    void finished(qint64 id, bool succeeded, const QString& message);

private:
    // Runs `job` (returning the id, whether it succeeded, and how it ended) on the worker.
    bool launch(std::function<std::tuple<qint64, bool, QString>(std::stop_token)> job);
    ProgressCallback progressForwarder();

    class Forwarder;
    std::unique_ptr<Forwarder> forwarder_;
    std::jthread worker_;
    bool running_ = false;
};

} // namespace graft::ui
