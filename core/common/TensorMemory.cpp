#include "common/TensorMemory.h"

#include <malloc.h>

namespace graft {

void keepFreedTensorMemory() {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

} // namespace graft
