#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QTimer>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Graft");
    QApplication::setOrganizationName("Graft");

    QCommandLineParser parser;
    parser.setApplicationDescription("Transfer-learning workbench");
    parser.addHelpOption();
    parser.addPositionalArgument("project", "Project file (.graft) to open");
    // Renders every page with QWidget::grab() and exits: for documentation and visual checks.
    const QCommandLineOption screenshot("screenshot", "Save each page as a PNG in <folder> and exit.", "folder");
    parser.addOption(screenshot);
    parser.process(app);

    graft::ui::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        QString error;
        if (!window.openProject(parser.positionalArguments().front(), &error)) {
            if (parser.isSet(screenshot)) {
                qCritical("%s", qPrintable(error));
                return 1;
            }
            QMessageBox::critical(&window, QObject::tr("Cannot open project"), error);
        }
    }
    if (parser.isSet(screenshot)) {
        // After a moment, so the thumbnails decoded in the background are in the picture.
        QTimer::singleShot(1500, &window, [&] {
            const QDir folder(parser.value(screenshot));
            bool saved = folder.mkpath(".");
            for (int page = 0; saved && page < window.pageCount(); ++page) {
                window.showPage(page);
                const QString file = folder.filePath(QString("%1-%2.png").arg(page + 1).arg(window.pageName(page)));
                saved = window.grab().save(file, "PNG");
                if (!saved) qCritical("cannot write %s", qPrintable(file));
            }
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
