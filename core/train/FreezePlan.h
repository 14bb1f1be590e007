#pragma once

#include <set>
#include <string>
#include <vector>

namespace graft {

struct NetworkBlock;

// Which blocks of a classifier train, epoch by epoch. Only blocks that own parameters count;
// the last of them is the head. Text forms (the CLI's --freeze and the run record):
//   none | full      everything trains
//   probe            only the head trains (linear probe)
//   last:N           the head and the N blocks before it train
//   upto:BLOCK       BLOCK and every block before it are frozen
//   blocks:A,B,...   exactly these blocks are frozen
//   gradual:E        a linear probe first, then one more block from the end every E epochs
class FreezePlan {
public:
    // Throws graft::Error saying which forms exist.
    static FreezePlan parse(const std::string& text);
    const std::string& text() const { return text_; }
    bool isGradual() const { return kind_ == Kind::Gradual; }

    // Names of the frozen blocks at `epoch` (1-based). Throws naming an unknown block (and listing
    // the real ones), or when nothing would be left to train.
    std::set<std::string> frozenAt(const std::vector<NetworkBlock>& blocks, int epoch) const;

private:
    enum class Kind { None, Probe, LastN, UpTo, Blocks, Gradual };
    Kind kind_ = Kind::None;
    int count_ = 0; // N of last:N, E of gradual:E
    std::vector<std::string> names_;
    std::string text_ = "none";
};

} // namespace graft
