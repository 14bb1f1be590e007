// The .pth unpickler (data.pkl of a torch.save zip) on hostile bytes: it must refuse with a
// PickleError, never crash, hang or read out of bounds.
#include "models/RestrictedUnpickler.h"

#include <cstddef>
#include <cstdint>

namespace {

// The shape of the hooks PthReader gives the unpickler, without LibTorch: tensors and storages
// become opaque objects after the same argument checks.
graft::UnpicklerHooks checkpointLikeHooks() {
    using graft::PickleRef;
    using graft::PickleValue;
    graft::UnpicklerHooks hooks;
    hooks.allowedGlobals = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage"};
    hooks.reduce = [](const std::string& global, const PickleValue& args) -> PickleRef {
        auto made = std::make_shared<PickleValue>();
        if (global == "collections.OrderedDict") {
            made->kind = PickleValue::Kind::Dict;
            return made;
        }
        if (global == "torch._utils._rebuild_tensor_v2") {
            args.item(1).asInt();
            for (std::size_t i : {2u, 3u})
                for (const auto& size : args.item(i).items) size->asInt();
        }
        made->kind = PickleValue::Kind::Object;
        made->objectType = global;
        return made;
    };
    hooks.persistentLoad = [](const PickleValue& id) -> PickleRef {
        if (id.item(0).asString() != "storage") throw graft::PickleError("unknown persistent id");
        id.item(2).asString();
        id.item(4).asInt();
        auto storage = std::make_shared<PickleValue>();
        storage->kind = PickleValue::Kind::Object;
        storage->objectType = "storage";
        return storage;
    };
    return hooks;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const graft::UnpicklerHooks hooks = checkpointLikeHooks();
    try {
        graft::unpickle({data, size}, hooks);
    } catch (const graft::PickleError&) {
    }
    return 0;
}
