// GUI responsiveness while training: a 5 ms timer on the GUI thread records how late each tick
// fires while the Train page trains in the same process (live chart, progress, status bar).
// Run: graft_bench_gui_latency [ARCH] [EPOCHS] [IMAGES_PER_CLASS] [run|experiment]
// (defaults: tinynet 5 300 run). "experiment" trains transfer, scratch and a linear probe over 3
// seeds, whose chart re-reads every arm from the project file at each epoch.
// Without a display, set QT_QPA_PLATFORM=offscreen. The target: p99 lateness under 50 ms.
#include "JobController.h"
#include "MainWindow.h"
#include "Percentile.h"
#include "TrainPage.h"

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "train/TrainingSession.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

using namespace graft;

int main(int argc, char** argv) {
    QStandardPaths::setTestModeEnabled(true); // keep the bench's projects out of the user's recent list
    QApplication app(argc, argv);
    const QString arch = argc > 1 ? argv[1] : "tinynet";
    const int epochs = argc > 2 ? std::atoi(argv[2]) : 5;
    const int perClass = argc > 3 ? std::atoi(argv[3]) : 300;
    const bool experiment = argc > 4 && QString(argv[4]) == "experiment";

    char pattern[] = "/tmp/graft-gui-bench-XXXXXX";
    const std::filesystem::path dir = mkdtemp(pattern);
    const auto project = dir / "shapes.graft";
    {
        Database db = createProject(project);
        importSyntheticShapes(db, perClass, 0);
    }
    const auto pretrained = dir / "pretrained.pt";
    if (experiment) { // the transfer arm's starting weights, trained before the clock starts
        TrainingRequest pretraining;
        pretraining.project = project;
        pretraining.config.arch = arch.toStdString();
        pretraining.config.epochs = 1;
        pretraining.saveWeightsTo = pretrained;
        TrainObserver quiet;
        runTraining(pretraining, quiet, {});
    }

    ui::MainWindow window;
    window.show();
    QString error;
    if (!window.openProject(QString::fromStdString(project.string()), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    window.showPage(2); // Train: the chart is on screen
    window.findChild<QComboBox*>("architecture")->setCurrentText(arch);
    window.findChild<QSpinBox*>("epochs")->setValue(epochs);
    auto* page = window.findChild<ui::TrainPage*>();
    if (experiment) {
        window.findChild<QLineEdit*>("initialWeights")->setText(QString::fromStdString(pretrained.string()));
        window.findChild<QSpinBox*>("seeds")->setValue(3);
        window.findChild<QSpinBox*>("scratchEpochs")->setValue(epochs);
        window.findChild<QCheckBox*>("withProbe")->setChecked(true);
    }

    constexpr int kTickMs = 5;
    std::vector<double> lateness;
    QElapsedTimer clock;
    qint64 last = 0;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(kTickMs);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness.push_back(std::max(0.0, double(now - last) / 1e6 - kTickMs));
        last = now;
    });
    int steps = 0;
    QObject::connect(page->job(), &ui::JobController::stepDone, [&] { ++steps; });
    bool succeeded = false;
    QString message;
    QObject::connect(page->job(), &ui::JobController::finished, [&](qint64, bool ok, const QString& text) {
        succeeded = ok;
        message = text;
        app.quit();
    });
    clock.start();
    QTimer::singleShot(0, [&] {
        last = clock.nsecsElapsed();
        tick.start();
        window.findChild<QPushButton*>(experiment ? "runExperiment" : "startTraining")->click();
    });
    app.exec();
    tick.stop();
    const double seconds = double(clock.elapsed()) / 1000.0;
    std::filesystem::remove_all(dir);
    if (!succeeded) {
        std::fprintf(stderr, "training failed: %s\n", qPrintable(message));
        return 1;
    }
    std::printf("GUI event-loop lateness while training %s %s (%d epochs, %d images, %d steps, %.1f s)\n",
                experiment ? "an experiment of 9 trials on" : "one run of", qPrintable(arch), epochs, 3 * perClass, steps, seconds);
    std::printf("  ticks %zu   p50 %.2f ms   p99 %.2f ms   max %.2f ms   target p99 < 50 ms: %s\n", lateness.size(),
                percentile(lateness, 0.5), percentile(lateness, 0.99), percentile(lateness, 1.0),
                percentile(lateness, 0.99) < 50 ? "met" : "MISSED");
    return 0;
}
