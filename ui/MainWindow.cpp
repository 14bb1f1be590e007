#include "MainWindow.h"

#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableWidget>

namespace graft::ui {
namespace {

// `stretchColumn` (a text column) takes the spare width, so figures stay next to their headers.
QTableWidget* makeTable(const QStringList& headers, const QString& objectName, int stretchColumn) {
    auto* table = new QTableWidget(0, int(headers.size()));
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    table->verticalHeader()->hide();
    return table;
}

// The first column is a name; the rest are figures, aligned right so digits line up.
void setRow(QTableWidget* table, int row, const QStringList& cells) {
    for (int column = 0; column < cells.size(); ++column) {
        auto* item = new QTableWidgetItem(cells[column]);
        if (column > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table->setItem(row, column, item);
    }
}

QLabel* comingLater(const QString& text) {
    auto* label = new QLabel(text);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    return label;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), navigator_(new QListWidget), pages_(new QStackedWidget),
      classTable_(makeTable({tr("Class"), tr("Images"), tr("Train"), tr("Validation"), tr("Test")}, "classTable", 0)),
      runTable_(makeTable({tr("Run"), tr("Architecture"), tr("Init"), tr("Seed"), tr("Status"), tr("Epochs"),
                           tr("Validation accuracy")},
                          "runTable", 1)) {
    setWindowTitle(tr("Graft"));
    navigator_->setObjectName("pageNavigator");
    navigator_->setFixedWidth(160);
    addPage(tr("Data & Labels"), classTable_);
    addPage(tr("Model"), comingLater(tr("Backbone choice and layer freezing arrive with the model zoo.")));
    addPage(tr("Train"), runTable_);
    addPage(tr("Compare"), comingLater(tr("Transfer-versus-scratch comparisons arrive with experiments.")));
    addPage(tr("Export"), comingLater(tr("TorchScript and ONNX export arrive with the export work.")));
    connect(navigator_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
    navigator_->setCurrentRow(0);

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->addWidget(navigator_);
    layout->addWidget(pages_, 1);
    setCentralWidget(central);

    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    auto* open = fileMenu->addAction(tr("&Open Project…"), this, &MainWindow::chooseProject);
    open->setShortcut(QKeySequence::Open);
    auto* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    statusBar()->showMessage(tr("No project open"));
    resize(960, 600);
}

void MainWindow::addPage(const QString& title, QWidget* page) {
    navigator_->addItem(title);
    pages_->addWidget(page);
}

bool MainWindow::openProject(const QString& path, QString* error) {
    try {
        Database db = graft::openProject(path.toStdString());
        ProjectStore store(db);
        RunStore runs(db);

        const auto classes = store.classSummaries();
        classTable_->setRowCount(int(classes.size()));
        for (int row = 0; row < int(classes.size()); ++row) {
            const auto& c = classes[std::size_t(row)];
            setRow(classTable_, row,
                   {QString::fromStdString(c.name), QString::number(c.images), QString::number(c.train),
                    QString::number(c.val), QString::number(c.test)});
        }
        const auto records = runs.runs();
        runTable_->setRowCount(int(records.size()));
        for (int row = 0; row < int(records.size()); ++row) {
            const auto& run = records[std::size_t(row)];
            setRow(runTable_, row,
                   {QString::number(run.id), QString::fromStdString(run.arch), QString::fromStdString(run.init),
                    QString::number(run.seed), QString::fromStdString(std::string(runStatusName(run.status))),
                    QString::number(run.epochsDone),
                    run.lastValAccuracy ? QString::number(*run.lastValAccuracy, 'f', 4) : QStringLiteral("–")});
        }
        projectPath_ = path;
        setWindowTitle(tr("%1 – Graft").arg(QFileInfo(path).fileName()));
        statusBar()->showMessage(tr("%1 images, %2 unlabelled, %3")
                                     .arg(store.imageCount())
                                     .arg(store.unlabeledCount())
                                     .arg(records.size() == 1 ? tr("1 run") : tr("%1 runs").arg(records.size())));
        return true;
    } catch (const std::exception& exception) {
        if (error) *error = QString::fromStdString(exception.what());
        return false;
    }
}

void MainWindow::chooseProject() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Project"), QString(), tr("Graft projects (*.graft);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openProject(path, &error)) QMessageBox::critical(this, tr("Cannot open project"), error);
}

} // namespace graft::ui
