#pragma once

#include <QMessageBox>
#include <QString>

namespace graft::ui {

// A message box that does not block: the window stays usable behind it (and tests can read it
// by `objectName`). It deletes itself when closed.
inline QMessageBox* showNotice(QWidget* parent, QMessageBox::Icon icon, const QString& title, const QString& text,
                               const QString& objectName) {
    auto* box = new QMessageBox(icon, title, text, QMessageBox::Ok, parent);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return box;
}

} // namespace graft::ui
