#pragma once

#include "common/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace graft {

class PickleError : public Error {
public:
    using Error::Error;
};

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

// What a pickle builds, with nothing executed: containers, scalars, references to allowed
// globals, and opaque objects made by the caller's reduce/persistent-load hooks.
struct PickleValue {
    enum class Kind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Object };
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0;
    std::string text;                                     // String (UTF-8), Bytes, Global "module.name"
    std::vector<PickleRef> items;                         // Tuple, List
    std::vector<std::pair<PickleRef, PickleRef>> entries; // Dict, in insertion order
    std::shared_ptr<void> object;                         // Object
    std::string objectType;                               // Object: what the hook made

    const PickleValue& item(std::size_t index) const;
    std::int64_t asInt() const;
    const std::string& asString() const;
};

struct UnpicklerHooks {
    // Globals ("module.name") a pickle may name; any other refuses the whole file.
    std::set<std::string> allowedGlobals;
    // REDUCE: apply an allowed global to its argument tuple.
    std::function<PickleRef(const std::string& global, const PickleValue& args)> reduce;
    // BINPERSID: resolve a persistent id (torch uses them for tensor storages).
    std::function<PickleRef(const PickleValue& id)> persistentLoad;
};

// A pickle virtual machine for the protocol 2-4 subset torch.save writes. It never imports or
// calls anything: GLOBAL is checked against the allow-list and REDUCE goes to the hook.
// `consumed` (optional) receives the number of bytes read, for streams of several pickles.
PickleRef unpickle(std::span<const std::uint8_t> bytes, const UnpicklerHooks& hooks, std::size_t* consumed = nullptr);

} // namespace graft
