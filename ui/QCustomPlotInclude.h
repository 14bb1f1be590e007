#pragma once

// qcustomplot.h spells Qt's signals/slots/foreach keywords, which QT_NO_KEYWORDS (kept for
// LibTorch) turns off; they are lent to it here alone. Include this, never qcustomplot.h, and
// only from .cpp files.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
