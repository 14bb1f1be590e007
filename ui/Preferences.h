#pragma once

#include "train/TrainConfig.h"

#include <QString>

namespace graft::ui {

// The user's settings that outlive a project, kept in QSettings.
struct Preferences {
    QString device = "auto";         // DeviceRequest text for training and evaluation: auto | cpu | cuda | cuda:N
    int threads = 0;                 // CPU threads for training; 0: every core
    int thumbnailCacheMegabytes = 128;
    // Decoded training and validation images beyond this are read from the project batch by batch.
    int inputMemoryMegabytes = int(TrainConfig{}.inputMemoryBudgetBytes >> 20);
    QString theme = "system";        // system | light | dark

    static Preferences load();
    void save() const;
};

} // namespace graft::ui
