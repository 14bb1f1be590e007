// The Data page at scale: how late a 5 ms GUI timer fires while a person scrolls the thumbnail
// grid of a large project, jumps through it, labels what they see and switches the filter.
// Run: graft_bench_grid_scroll [IMAGES]   (default 100000 28 x 28 shapes, labelled and split; made
// once and kept in /tmp/graft-grid-bench). Without a display, set QT_QPA_PLATFORM=offscreen.
// The target: p99 lateness under 50 ms in every phase.
#include "MainWindow.h"
#include "Percentile.h"

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace graft;

namespace {

std::filesystem::path largeProject(int images) {
    const std::filesystem::path dir = "/tmp/graft-grid-bench";
    const auto project = dir / (std::to_string(images) + ".graft");
    if (std::filesystem::exists(project)) return project;
    std::filesystem::create_directories(dir);
    const auto partial = dir / (std::to_string(images) + ".partial.graft");
    std::filesystem::remove(partial);
    std::printf("making %d images in %s (once)\n", images, project.c_str());
    {
        Database db = createProject(partial);
        importSyntheticShapes(db, (images + 2) / 3, 0);
    }
    std::filesystem::rename(partial, project);
    return project;
}

struct Phase {
    const char* name;
    int actions;                          // one every kActionMs
    std::function<void(int action)> act;
};

} // namespace

int main(int argc, char** argv) {
    QStandardPaths::setTestModeEnabled(true); // keep the bench's project out of the user's recent list
    QApplication app(argc, argv);
    const int images = argc > 1 ? std::atoi(argv[1]) : 100000;
    const auto project = largeProject(images);

    ui::MainWindow window;
    window.resize(1280, 800);
    window.show();
    QElapsedTimer opening;
    opening.start();
    QString error;
    if (!window.openProject(QString::fromStdString(project.string()), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    window.showPage(0);
    const double openSeconds = double(opening.elapsed()) / 1000.0;
    auto* grid = window.findChild<QAbstractItemView*>("imageGrid");
    auto* filter = window.findChild<QComboBox*>("imageFilter");
    if (!grid || !filter) {
        std::fprintf(stderr, "the Data page has no imageGrid or imageFilter\n");
        return 1;
    }
    auto* scroll = grid->verticalScrollBar();
    std::mt19937 random(1);
    int labelled = 0;
    const auto press = [&](Qt::Key key) {
        QKeyEvent down(QEvent::KeyPress, key, Qt::NoModifier);
        QCoreApplication::sendEvent(grid, &down);
    };
    const std::vector<Phase> phases = {
        {"scroll a page at a time", 300, [&](int) { scroll->setValue(scroll->value() + scroll->pageStep()); }},
        {"jump anywhere", 100, [&](int) { scroll->setValue(std::uniform_int_distribution<int>(0, scroll->maximum())(random)); }},
        {"label an image on screen", 200,
         [&](int action) {
             QModelIndex index; // the first image down the middle of the view (not a gap between cells)
             for (int y = 0; !index.isValid() && y < grid->viewport()->height(); y += 4)
                 index = grid->indexAt(QPoint(grid->viewport()->width() / 2, y));
             if (!index.isValid()) return;
             grid->setCurrentIndex(index); // selects it
             press(action % 2 ? Qt::Key_2 : Qt::Key_1);
             ++labelled;
             scroll->setValue(scroll->value() + scroll->singleStep());
         }},
        {"switch the filter", 12, [&](int action) { filter->setCurrentIndex(action % std::min(4, filter->count())); }},
    };

    constexpr int kTickMs = 5, kActionMs = 30;
    std::vector<std::vector<double>> lateness(phases.size());
    std::size_t phase = 0;
    int action = 0;
    QElapsedTimer clock;
    qint64 last = 0;
    QTimer tick, act;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(kTickMs);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lateness[phase].push_back(std::max(0.0, double(now - last) / 1e6 - kTickMs));
        last = now;
    });
    act.setInterval(kActionMs);
    QObject::connect(&act, &QTimer::timeout, [&] {
        if (action == phases[phase].actions) {
            action = 0;
            if (++phase == phases.size()) {
                phase = phases.size() - 1; // the last tick's sample stays in the last phase
                app.quit();
                return;
            }
        }
        phases[phase].act(action++);
    });
    QTimer::singleShot(2000, [&] { // thumbnails of the first screen and the class counts settle
        clock.start();
        last = clock.nsecsElapsed();
        tick.start();
        act.start();
    });
    app.exec();

    std::printf("Data page, %d images (opened in %.2f s), a 5 ms timer's lateness; an action every %d ms\n", images, openSeconds,
                kActionMs);
    bool met = true;
    for (std::size_t p = 0; p < phases.size(); ++p) {
        const double p99 = percentile(lateness[p], 0.99);
        met = met && p99 < 50;
        std::printf("  %-28s %4d actions  ticks %5zu   p50 %6.2f ms   p99 %6.2f ms   max %7.2f ms\n", phases[p].name,
                    phases[p].actions, lateness[p].size(), percentile(lateness[p], 0.5), p99, percentile(lateness[p], 1.0));
    }
    std::printf("  %d images labelled; target p99 < 50 ms in every phase: %s\n", labelled, met ? "met" : "MISSED");
    return 0;
}
