#pragma once

#include <QStringList>
#include <QWidget>

#include <thread>

class QListWidget;

namespace graft::ui {

// What Graft shows with no project open: what it does in two lines, the ways in (a folder of
// images, the demo, a project file), and the recent projects with a thumbnail, their counts and
// the newest experiment's verdict. A folder dropped here becomes a new project beside it.
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);
    // Lists them at once, then reads each (read-only, on a worker: a large experiment takes a
    // second to compare) for its thumbnail and line; a missing or unreadable one says so.
    void setRecentProjects(const QStringList& paths);
    // Whether recent projects are still being read.
    bool isReading() const { return linesLeft_ > 0; }

Q_SIGNALS:
    void folderChosen(const QString& folder); // make a project of it
    void demoRequested();
    void openRequested();                     // choose a project file
    void projectChosen(const QString& path);  // a recent one

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QListWidget* recent_;
    int linesLeft_ = 0; // of the list being read, on the GUI thread
    std::jthread reader_; // declared last: joined before the list it fills goes
};

} // namespace graft::ui
