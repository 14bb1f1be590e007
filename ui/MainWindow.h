#pragma once

#include <QMainWindow>
#include <QString>

#include <memory>

class QListWidget;
class QStackedWidget;
class QUndoStack;

namespace graft {
class Database;
}

namespace graft::ui {

class DataPage;
class ModelPage;
class TrainPage;

// The workbench shell: a page navigator over the pages. Data & Labels labels images (with undo),
// Model freezes blocks, Train runs training with live charts; Compare and Export are to come.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads the project; on failure returns false and sets `error` to a message naming the file.
    bool openProject(const QString& path, QString* error);
    QString projectPath() const { return projectPath_; }
    int pageCount() const;
    // The page's title as a file name: "data-labels", "model", ...
    QString pageName(int page) const;
    void showPage(int page);

private:
    void chooseProject();
    void addPage(const QString& title, QWidget* page);
    void showProjectCounts();

    std::unique_ptr<Database> db_;
    QUndoStack* undoStack_;
    QListWidget* navigator_;
    QStackedWidget* pages_;
    DataPage* dataPage_;
    ModelPage* modelPage_;
    TrainPage* trainPage_;
    QString projectPath_;
};

} // namespace graft::ui
