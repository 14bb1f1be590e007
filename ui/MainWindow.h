#pragma once

#include <QMainWindow>
#include <QString>

class QListWidget;
class QStackedWidget;
class QTableWidget;

namespace graft::ui {

// The workbench shell: a page navigator over the pages to come. For now the Data page lists
// classes with their split counts and the Train page lists the project's runs.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Loads the project; on failure returns false and sets `error` to a message naming the file.
    bool openProject(const QString& path, QString* error);
    QString projectPath() const { return projectPath_; }

private:
    void chooseProject();
    void addPage(const QString& title, QWidget* page);

    QListWidget* navigator_;
    QStackedWidget* pages_;
    QTableWidget* classTable_;
    QTableWidget* runTable_;
    QString projectPath_;
};

} // namespace graft::ui
