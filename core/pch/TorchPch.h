// Precompiled for graft_core and the test targets: torch headers cost ~20 s per translation unit.
#pragma once

#include <torch/torch.h>
