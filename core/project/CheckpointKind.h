#pragma once

namespace graft {

// A run keeps one checkpoint of each kind: the newest (to resume from) and the one with the best
// validation metric (to evaluate and export).
enum class CheckpointKind { Last, Best };

} // namespace graft
