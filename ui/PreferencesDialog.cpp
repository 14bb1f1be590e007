#include "PreferencesDialog.h"

#include "train/DeviceRequest.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

#include <algorithm>
#include <thread>

namespace graft::ui {

PreferencesDialog::PreferencesDialog(const Preferences& current, QWidget* parent)
    : QDialog(parent), device_(new QComboBox), threads_(new QSpinBox), cacheMegabytes_(new QSpinBox),
      inputMemoryMegabytes_(new QSpinBox), theme_(new QComboBox),
      error_(new QLabel) {
    setWindowTitle(tr("Preferences"));
    device_->setObjectName("device");
    device_->setEditable(true); // cuda:1 and the like
    device_->addItems({"auto", "cpu", "cuda"});
    device_->setCurrentText(current.device);
    device_->setToolTip(tr("auto: the first CUDA GPU when there is one, else the CPU. cuda:N picks a GPU."));
    threads_->setObjectName("threads");
    threads_->setRange(0, 1024);
    threads_->setSpecialValueText(tr("all %1 cores").arg(std::thread::hardware_concurrency()));
    threads_->setValue(current.threads);
    threads_->setToolTip(tr("Fewer threads leave cores for other programs while Graft trains"));
    cacheMegabytes_->setObjectName("thumbnailCache");
    cacheMegabytes_->setRange(16, 16384);
    cacheMegabytes_->setSuffix(" MB");
    cacheMegabytes_->setValue(current.thumbnailCacheMegabytes);
    inputMemoryMegabytes_->setObjectName("inputMemory");
    inputMemoryMegabytes_->setRange(1, 1 << 20);
    inputMemoryMegabytes_->setSuffix(" MB");
    inputMemoryMegabytes_->setValue(current.inputMemoryMegabytes);
    inputMemoryMegabytes_->setToolTip(tr("Training and validation images that would take more memory decoded are read from the "
                                   "project and decoded batch by batch, with the same results"));
    theme_->setObjectName("theme");
    theme_->addItem(tr("System"), "system");
    theme_->addItem(tr("Light"), "light");
    theme_->addItem(tr("Dark"), "dark");
    theme_->setCurrentIndex(std::max(0, theme_->findData(current.theme)));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Training device"), device_);
    form->addRow(tr("CPU threads"), threads_);
    form->addRow(tr("Thumbnail cache"), cacheMegabytes_);
    form->addRow(tr("Decoded images in memory"), inputMemoryMegabytes_);
    form->addRow(tr("Theme"), theme_);
    error_->setObjectName("preferencesError");
    error_->setWordWrap(true);
    error_->setStyleSheet("color: #cf222e");
    error_->hide();
    form->addRow(error_);
    form->addRow(buttons);
}

Preferences PreferencesDialog::preferences() const {
    Preferences preferences;
    preferences.device = device_->currentText().trimmed().isEmpty() ? "auto" : device_->currentText().trimmed();
    preferences.threads = threads_->value();
    preferences.thumbnailCacheMegabytes = cacheMegabytes_->value();
    preferences.inputMemoryMegabytes = inputMemoryMegabytes_->value();
    preferences.theme = theme_->currentData().toString();
    return preferences;
}

void PreferencesDialog::accept() {
    try {
        DeviceRequest::parse(preferences().device.toStdString());
    } catch (const std::exception& error) {
        error_->setText(QString::fromStdString(error.what()));
        error_->show();
        return;
    }
    QDialog::accept();
}

} // namespace graft::ui
