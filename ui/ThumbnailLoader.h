#pragma once

#include <QImage>
#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <vector>

namespace graft {
class Database;
}

namespace graft::ui {

// Decodes images from the project into thumbnails on the thread it is moved to, through its own
// read-only connection, so the GUI thread never waits for a decode.
class ThumbnailLoader : public QObject {
    Q_OBJECT

public:
    ThumbnailLoader(QString projectPath, int size);
    ~ThumbnailLoader() override;

    // Scaled to fit `size` x `size` pixels (its longer side is `size`), in RGB. A null image when
    // the bytes do not decode.
    static QImage thumbnail(const std::vector<std::uint8_t>& encoded, int size);

    // Thread-safe. The newest request is decoded first, so after a fast scroll the rows on
    // screen come before the rows scrolled past.
    void request(const QString& sha256);

Q_SIGNALS:
    void loaded(const QString& sha256, const QImage& image);

private:
    void load(const QString& sha256);
    // On the loader's thread: decodes the newest pending image, then schedules itself again,
    // so the thread's other events (quit) are never starved.
    void loadNewest();

    std::mutex mutex_;
    std::vector<QString> pending_; // newest last
    bool scheduled_ = false;       // a loadNewest is queued
    QString projectPath_;
    int size_;
    std::unique_ptr<Database> db_; // opened on first use, on the loader's thread
};

} // namespace graft::ui
