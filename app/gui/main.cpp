#include "MainWindow.h"
#include "Theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QTabWidget>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Graft");
    QApplication::setOrganizationName("Graft");
    graft::ui::useIconTheme();

    QCommandLineParser parser;
    parser.setApplicationDescription("Transfer-learning workbench");
    parser.addHelpOption();
    parser.addPositionalArgument("project", "Project file (.graft) to open");
    // Renders every page with QWidget::grab() and exits: for documentation and visual checks.
    const QCommandLineOption screenshot("screenshot", "Save each page as a PNG in <folder> and exit.", "folder");
    parser.addOption(screenshot);
    const QCommandLineOption size("size", "Window size, such as 1920x1080, in place of the last one used.", "widthxheight");
    parser.addOption(size);
    const QCommandLineOption demo("demo", "Open the demo project (creating it first; the project argument, if given, "
                                          "says where) on the Train page, or on Compare once it has results.");
    parser.addOption(demo);
    // For the start-up benchmark (tests/bench): the clock that counts is the wall clock, so a
    // process that started this one can subtract its own start.
    const QCommandLineOption reportReady(
        "report-ready", "Print the wall-clock time (microseconds since 1970) when the window is ready for input, "
                        "its background reading done (the welcome page's recent projects, or the opened project's "
                        "Data page with the thumbnails on screen), and exit.");
    parser.addOption(reportReady);
    parser.process(app);

    graft::ui::MainWindow window;
    if (parser.isSet(size)) {
        const QStringList sides = parser.value(size).split('x');
        const QSize wanted(sides.value(0).toInt(), sides.value(1).toInt());
        if (sides.size() != 2 || wanted.isEmpty()) {
            qCritical("--size %s: expected WIDTHxHEIGHT, such as 1920x1080", qPrintable(parser.value(size)));
            return 2;
        }
        window.resize(wanted);
    }
    window.show();
    if (parser.isSet(demo)) {
        window.openDemoProject(parser.positionalArguments().value(0));
    } else if (!parser.positionalArguments().isEmpty()) {
        QString error;
        if (!window.openProject(parser.positionalArguments().front(), &error)) {
            if (parser.isSet(screenshot)) {
                qCritical("%s", qPrintable(error));
                return 1;
            }
            QMessageBox::critical(&window, QObject::tr("Cannot open project"), error);
        }
    }
    if (parser.isSet(reportReady)) {
        if (!window.showsWelcome()) window.showPage(0);
        auto* poll = new QTimer(&window);
        QObject::connect(poll, &QTimer::timeout, &window, [&window] {
            if (!window.isVisible() || window.hasBackgroundWork()) return;
            const auto now = std::chrono::system_clock::now().time_since_epoch();
            std::printf("%lld\n", static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(now).count()));
            std::fflush(stdout);
            QApplication::exit(0);
        });
        poll->start(5);
    }
    struct Shot {
        int page;
        QTabWidget* tabs;
        int tab;
        QString name;
    };
    std::vector<Shot> shots; // outlive the event loop that takes them
    QDir folder;
    if (parser.isSet(screenshot)) {
        // Every page, then each further tab of a page with tabs ("4-compare-2.png"). Each shot waits a
        // moment, and for the page's background jobs, so what it computes (thumbnails, evaluations,
        // heat maps) is in the picture.
        // With no project open there is one thing to see: the welcome page.
        if (window.showsWelcome()) shots.push_back({-1, nullptr, 0, "0-welcome"});
        for (int page = 0; page < window.pageCount() && !window.showsWelcome(); ++page) {
            const QString name = QString("%1-%2").arg(page + 1).arg(window.pageName(page));
            shots.push_back({page, nullptr, 0, name});
            window.showPage(page);
            if (auto* tabs = window.currentPage()->findChild<QTabWidget*>())
                for (int tab = 1; tab < tabs->count(); ++tab) shots.push_back({page, tabs, tab, QString("%1-%2").arg(name).arg(tab + 1)});
        }
        folder = QDir(parser.value(screenshot));
        if (!folder.mkpath(".")) {
            qCritical("cannot create %s", qPrintable(folder.path()));
            return 1;
        }
        auto next = std::make_shared<std::function<void(std::size_t)>>();
        *next = [&, next](std::size_t index) {
            if (index == shots.size()) return QApplication::exit(0);
            const auto& shot = shots[index];
            if (shot.page >= 0) window.showPage(shot.page);
            if (shot.tabs) shot.tabs->setCurrentIndex(shot.tab);
            auto take = std::make_shared<std::function<void(int)>>();
            *take = [&, next, take, index](int waitsLeft) {
                if (window.hasBackgroundWork() && waitsLeft > 0) return QTimer::singleShot(200, &window, [take, waitsLeft] { (*take)(waitsLeft - 1); });
                const QString file = folder.filePath(shots[index].name + ".png");
                if (!window.grab().save(file, "PNG")) {
                    qCritical("cannot write %s", qPrintable(file));
                    return QApplication::exit(1);
                }
                (*next)(index + 1);
            };
            // Background work the page started (an evaluation, then its heat maps) may chain, so
            // its jobs are polled until idle, for up to a minute.
            QTimer::singleShot(1500, &window, [take] { (*take)(300); });
        };
        (*next)(0);
    }
    return app.exec();
}
