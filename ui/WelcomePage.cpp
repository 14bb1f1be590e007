#include "WelcomePage.h"

#include "ProjectSummary.h"
#include "ThumbnailLoader.h"

#include "project/ProjectFile.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

constexpr int kThumbnail = 64;

// The one local folder a drop carries, or nothing.
QString droppedFolder(const QMimeData* data) {
    const auto urls = data->urls();
    if (urls.size() != 1 || !urls.front().isLocalFile() || !QFileInfo(urls.front().toLocalFile()).isDir()) return {};
    return urls.front().toLocalFile();
}

} // namespace

WelcomePage::WelcomePage(QWidget* parent) : QWidget(parent), recent_(new QListWidget) {
    setAcceptDrops(true);
    auto* title = new QLabel(tr("<h1>Graft</h1>"));
    auto* about = new QLabel(tr("Teach a pretrained network your own images: label a few, choose what to freeze, and "
                                "train.<br>Graft tells you honestly whether starting from the pretrained network helped, "
                                "with paired trials and intervals."));
    about->setWordWrap(true);
    auto* fromFolder = new QPushButton(QIcon::fromTheme("folder-new"), tr("New project from a folder…"));
    fromFolder->setObjectName("newFromFolder");
    fromFolder->setToolTip(tr("A folder of class folders (or loose images): the project is created beside it, and its "
                              "images imported. Or drop the folder here."));
    auto* demo = new QPushButton(QIcon::fromTheme("applications-science"), tr("Open the demo"));
    demo->setObjectName("welcomeDemo");
    demo->setToolTip(tr("OpenCV's handwritten digits, 10 labelled per digit, with an experiment ready to run"));
    auto* open = new QPushButton(QIcon::fromTheme("document-open"), tr("Open a project…"));
    open->setObjectName("welcomeOpen");
    for (auto* button : {fromFolder, demo, open}) button->setMinimumHeight(36);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(fromFolder);
    buttons->addWidget(demo);
    buttons->addWidget(open);
    buttons->addStretch(1);

    recent_->setObjectName("recentProjects");
    recent_->setIconSize({kThumbnail, kThumbnail});
    recent_->setTextElideMode(Qt::ElideRight);
    recent_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    recent_->setSpacing(2);
    recent_->setAccessibleName(tr("Recent projects"));
    auto* recentTitle = new QLabel(tr("<h3>Recent projects</h3>"));
    recentTitle->setBuddy(recent_);

    auto* column = new QVBoxLayout;
    column->addWidget(title);
    column->addWidget(about);
    column->addSpacing(12);
    column->addLayout(buttons);
    column->addSpacing(18);
    column->addWidget(recentTitle);
    column->addWidget(recent_, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addStretch(1);
    layout->addLayout(column, 6);
    layout->addStretch(1);

    connect(fromFolder, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("A folder of images"));
        if (!folder.isEmpty()) Q_EMIT folderChosen(folder);
    });
    connect(demo, &QPushButton::clicked, this, &WelcomePage::demoRequested);
    connect(open, &QPushButton::clicked, this, &WelcomePage::openRequested);
    connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (item->flags() & Qt::ItemIsEnabled) Q_EMIT projectChosen(item->data(Qt::UserRole).toString());
    });
}

void WelcomePage::setRecentProjects(const QStringList& paths) {
    reader_ = {}; // stops and joins the reading of an earlier list
    recent_->clear();
    linesLeft_ = int(paths.size());
    QPixmap blank(kThumbnail, kThumbnail); // keeps the lines of projects without a thumbnail aligned
    blank.fill(Qt::transparent);
    for (const auto& path : paths) {
        auto* item = new QListWidgetItem(QIcon(blank), QFileInfo(path).completeBaseName() + "\n" + tr("reading…") + "\n" + path);
        item->setData(Qt::UserRole, path);
        recent_->addItem(item);
    }
    if (paths.isEmpty()) {
        auto* none = new QListWidgetItem(tr("None yet: start from a folder of images or the demo."));
        none->setFlags(Qt::NoItemFlags);
        recent_->addItem(none);
        return;
    }
    reader_ = std::jthread([this, paths](std::stop_token stop) {
        for (int row = 0; row < paths.size() && !stop.stop_requested(); ++row) {
            const QString& path = paths[row];
            QString line, why;
            QImage thumbnail;
            if (!QFileInfo::exists(path)) {
                line = tr("Missing: moved or deleted");
            } else {
                try {
                    // As written: a project an older Graft wrote is listed with its counts too.
                    Database db = openProject(path.toStdString(), ProjectAccess::ReadOnlyAsWritten);
                    const auto summary = summarizeProject(db);
                    const auto& overview = summary.overview;
                    line = (overview.images == 1 ? tr("1 image") : tr("%1 images").arg(overview.images)) + " · " +
                           (overview.classes == 1 ? tr("1 class") : tr("%1 classes").arg(overview.classes)) + " · " +
                           tr("%1 unlabelled").arg(overview.unlabelled);
                    if (!summary.verdict.isEmpty()) line += " · " + summary.verdict;
                    if (!overview.firstImage.empty()) thumbnail = ThumbnailLoader::thumbnail(overview.firstImage, kThumbnail);
                } catch (const std::exception& error) {
                    // Still offered: opening it for writing may cure it (an older project is upgraded then).
                    why = QString::fromStdString(error.what());
                    line = tr("Not readable as it is: %1").arg(why.section(". ", 0, 0).section(": ", 1));
                }
            }
            QMetaObject::invokeMethod(this, [this, row, path, line, why, thumbnail] {
                auto* item = recent_->item(row);
                if (!item || item->data(Qt::UserRole).toString() != path) return; // a newer list replaced it
                --linesLeft_;
                item->setText(QFileInfo(path).completeBaseName() + "\n" + line + "\n" + path);
                item->setToolTip(why);
                if (!thumbnail.isNull()) item->setIcon(QPixmap::fromImage(thumbnail));
                if (!QFileInfo::exists(path)) item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
            }, Qt::QueuedConnection);
        }
    });
}

void WelcomePage::dragEnterEvent(QDragEnterEvent* event) {
    if (!droppedFolder(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void WelcomePage::dropEvent(QDropEvent* event) {
    const QString folder = droppedFolder(event->mimeData());
    if (folder.isEmpty()) return;
    event->acceptProposedAction();
    Q_EMIT folderChosen(folder);
}

} // namespace graft::ui
