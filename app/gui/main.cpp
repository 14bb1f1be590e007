#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Graft");
    QApplication::setOrganizationName("Graft");

    QCommandLineParser parser;
    parser.setApplicationDescription("Transfer-learning workbench");
    parser.addHelpOption();
    parser.addPositionalArgument("project", "Project file (.graft) to open");
    parser.process(app);

    graft::ui::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        QString error;
        if (!window.openProject(parser.positionalArguments().front(), &error))
            QMessageBox::critical(&window, QObject::tr("Cannot open project"), error);
    }
    return app.exec();
}
