#include "models/PthReader.h"

#include "models/RestrictedUnpickler.h"

#include <caffe2/serialize/inline_container.h>

#include <array>
#include <cstring>
#include <fstream>
#include <map>

namespace graft {
namespace {

namespace fs = std::filesystem;

struct StorageRef {
    std::string key;
    torch::ScalarType dtype = torch::kFloat;
    std::int64_t numel = 0;
};

struct TensorRef {
    std::shared_ptr<StorageRef> storage;
    std::int64_t offset = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;
};

// Bytes of one storage: its data and size. Zip records are owned by `owner`.
struct StorageBytes {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    std::shared_ptr<void> owner;
};

const std::map<std::string, torch::ScalarType>& storageTypes() {
    static const std::map<std::string, torch::ScalarType> types = {
        {"torch.FloatStorage", torch::kFloat},   {"torch.DoubleStorage", torch::kDouble},
        {"torch.HalfStorage", torch::kHalf},     {"torch.BFloat16Storage", torch::kBFloat16},
        {"torch.LongStorage", torch::kLong},     {"torch.IntStorage", torch::kInt},
        {"torch.ShortStorage", torch::kShort},   {"torch.CharStorage", torch::kChar},
        {"torch.ByteStorage", torch::kByte},     {"torch.BoolStorage", torch::kBool}};
    return types;
}

std::vector<std::int64_t> intTuple(const PickleValue& tuple) {
    if (tuple.kind != PickleValue::Kind::Tuple) throw PickleError("expected a tuple of integers");
    std::vector<std::int64_t> values;
    for (const auto& item : tuple.items) values.push_back(item->asInt());
    return values;
}

template <typename T> PickleRef makeObject(std::shared_ptr<T> object, const char* type) {
    auto value = std::make_shared<PickleValue>();
    value->kind = PickleValue::Kind::Object;
    value->object = std::move(object);
    value->objectType = type;
    return value;
}

template <typename T> std::shared_ptr<T> objectOf(const PickleValue& value, const char* type) {
    if (value.kind != PickleValue::Kind::Object || value.objectType != type)
        throw PickleError(std::string("expected a ") + type);
    return std::static_pointer_cast<T>(value.object);
}

using SeenStorages = std::map<std::string, std::shared_ptr<StorageRef>>;

// `seen` collects the storages the pickle references, by key.
UnpicklerHooks checkpointHooks(SeenStorages& seen) {
    UnpicklerHooks hooks;
    hooks.allowedGlobals = {"collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                            "torch._utils._rebuild_parameter", "torch.jit._pickle.restore_type_tag"};
    for (const auto& [name, dtype] : storageTypes()) hooks.allowedGlobals.insert(name);
    hooks.reduce = [](const std::string& global, const PickleValue& args) -> PickleRef {
        if (global == "collections.OrderedDict") {
            auto dict = std::make_shared<PickleValue>();
            dict->kind = PickleValue::Kind::Dict;
            return dict;
        }
        if (global == "torch._utils._rebuild_tensor_v2") {
            auto tensor = std::make_shared<TensorRef>();
            tensor->storage = objectOf<StorageRef>(args.item(0), "storage");
            tensor->offset = args.item(1).asInt();
            tensor->sizes = intTuple(args.item(2));
            tensor->strides = intTuple(args.item(3));
            return makeObject(tensor, "tensor");
        }
        // LibTorch's pickle_save (Graft's own weights) tags typed dicts: restore_type_tag(value, "Dict[str, Tensor]")
        // returns value unchanged.
        if (global == "torch.jit._pickle.restore_type_tag") {
            if (args.item(0).kind != PickleValue::Kind::Dict) throw PickleError("a type tag on something other than a dict");
            return args.items[0];
        }
        if (global == "torch._utils._rebuild_parameter") {
            objectOf<TensorRef>(args.item(0), "tensor");
            return args.items[0];
        }
        throw PickleError("'" + global + "' cannot be called");
    };
    // ('storage', storage type, key, location, numel[, view metadata])
    hooks.persistentLoad = [&seen](const PickleValue& id) -> PickleRef {
        if (id.item(0).asString() != "storage") throw PickleError("unknown persistent id");
        const auto& type = id.item(1);
        const auto dtype = storageTypes().find(type.text);
        if (type.kind != PickleValue::Kind::Global || dtype == storageTypes().end())
            throw PickleError("unknown storage type");
        auto storage = std::make_shared<StorageRef>();
        storage->dtype = dtype->second;
        storage->key = id.item(2).asString();
        storage->numel = id.item(4).asInt();
        seen[storage->key] = storage;
        return makeObject(storage, "storage");
    };
    return hooks;
}

// Checks the view lies inside its storage before touching memory, then copies it out. All
// arithmetic on the file's numbers is overflow-checked: a hostile size must not wrap around.
torch::Tensor materialize(const TensorRef& ref, const StorageBytes& bytes, const std::string& name) {
    const auto outside = [&] { return PickleError("tensor '" + name + "' reaches outside its storage"); };
    const auto elementSize = std::int64_t(c10::elementSize(ref.storage->dtype));
    std::int64_t storageBytes = 0;
    if (ref.storage->numel < 0 || __builtin_mul_overflow(ref.storage->numel, elementSize, &storageBytes) ||
        std::uint64_t(storageBytes) > bytes.size)
        throw PickleError("tensor '" + name + "' declares more data than its storage holds");
    if (ref.sizes.size() != ref.strides.size()) throw PickleError("tensor '" + name + "' has mismatched strides");
    std::int64_t last = ref.offset;
    bool empty = false;
    for (std::size_t d = 0; d < ref.sizes.size(); ++d) {
        if (ref.sizes[d] < 0 || ref.strides[d] < 0) throw PickleError("tensor '" + name + "' has a negative size");
        std::int64_t reach = 0;
        if (ref.sizes[d] == 0) empty = true;
        else if (__builtin_mul_overflow(ref.sizes[d] - 1, ref.strides[d], &reach) || __builtin_add_overflow(last, reach, &last))
            throw outside();
    }
    if (ref.offset < 0 || (!empty && last >= ref.storage->numel)) throw outside();
    const auto storage = torch::from_blob(const_cast<std::uint8_t*>(bytes.data), {ref.storage->numel},
                                          torch::TensorOptions().dtype(ref.storage->dtype));
    return storage.as_strided(ref.sizes, ref.strides, ref.offset).clone();
}

const PickleValue& unwrapStateDict(const PickleValue& top) {
    if (top.kind != PickleValue::Kind::Dict) throw PickleError("holds no dictionary of tensors");
    for (const auto& [key, value] : top.entries)
        if (key->kind == PickleValue::Kind::String && key->text == "state_dict" && value->kind == PickleValue::Kind::Dict)
            return *value;
    return top;
}

NamedTensors collect(const PickleValue& top, const std::function<StorageBytes(const StorageRef&)>& storageBytes) {
    const PickleValue& dict = unwrapStateDict(top);
    std::vector<std::pair<std::string, std::shared_ptr<TensorRef>>> refs;
    for (const auto& [key, value] : dict.entries) {
        if (key->kind != PickleValue::Kind::String) throw PickleError("has a non-string key");
        if (value->kind != PickleValue::Kind::Object || value->objectType != "tensor")
            throw PickleError("entry '" + key->text + "' is not a tensor");
        refs.emplace_back(key->text, std::static_pointer_cast<TensorRef>(value->object));
    }
    const bool dataParallel = !refs.empty() && std::all_of(refs.begin(), refs.end(), [](const auto& ref) {
        return ref.first.starts_with("module.");
    });
    NamedTensors tensors;
    std::map<std::string, StorageBytes> loaded;
    for (const auto& [name, ref] : refs) {
        auto found = loaded.find(ref->storage->key);
        if (found == loaded.end()) found = loaded.emplace(ref->storage->key, storageBytes(*ref->storage)).first;
        tensors.emplace_back(dataParallel ? name.substr(7) : name, materialize(*ref, found->second, name));
    }
    return tensors;
}

NamedTensors readZip(const fs::path& path) {
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    std::tuple<at::DataPtr, std::size_t> pickle;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path.string());
        pickle = reader->getRecord("data.pkl");
    } catch (const c10::Error& error) {
        throw PickleError(std::string("is a damaged or truncated checkpoint archive (") +
                          error.what_without_backtrace() + ")");
    }
    const auto* bytes = static_cast<const std::uint8_t*>(std::get<0>(pickle).get());
    SeenStorages seen;
    const auto top = unpickle({bytes, std::get<1>(pickle)}, checkpointHooks(seen));
    return collect(*top, [&](const StorageRef& storage) {
        try {
            auto record = std::make_shared<std::tuple<at::DataPtr, std::size_t>>(reader->getRecord("data/" + storage.key));
            return StorageBytes{static_cast<const std::uint8_t*>(std::get<0>(*record).get()), std::get<1>(*record), record};
        } catch (const c10::Error&) {
            throw PickleError("is missing the data of storage " + storage.key);
        }
    });
}

// Pre-1.6 layout: pickles of the magic number, protocol version, system info, the object, and
// the storage keys, followed by each storage as an int64 element count and its raw bytes.
NamedTensors readLegacy(const std::vector<std::uint8_t>& file) {
    // pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2): too wide for the unpickler's integers.
    static constexpr std::array<std::uint8_t, 15> kMagicPickle = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                                                0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};
    if (file.size() < kMagicPickle.size() || !std::equal(kMagicPickle.begin(), kMagicPickle.end(), file.begin()))
        throw PickleError("is not a PyTorch checkpoint (neither a zip archive nor the legacy format)");
    SeenStorages seen;
    const auto hooks = checkpointHooks(seen);
    std::span<const std::uint8_t> rest(file);
    rest = rest.subspan(kMagicPickle.size());
    const auto next = [&] {
        std::size_t used = 0;
        auto value = unpickle(rest, hooks, &used);
        rest = rest.subspan(used);
        return value;
    };
    if (next()->asInt() != 1001) throw PickleError("has an unknown legacy protocol version");
    next(); // system info: byte order and type sizes, little-endian on every platform Graft runs on
    const auto top = next();
    const auto keys = next();

    std::map<std::string, StorageBytes> storages;
    for (const auto& keyValue : keys->items) {
        const std::string& key = keyValue->asString();
        const auto storage = seen.find(key);
        if (storage == seen.end()) throw PickleError("lists storage " + key + " that no tensor uses");
        std::int64_t numel = 0;
        if (rest.size() < sizeof numel) throw PickleError("is truncated (storage " + key + ")");
        std::memcpy(&numel, rest.data(), sizeof numel);
        rest = rest.subspan(sizeof numel);
        std::uint64_t size = 0;
        if (numel < 0 || __builtin_mul_overflow(std::uint64_t(numel), c10::elementSize(storage->second->dtype), &size) ||
            size > rest.size())
            throw PickleError("is truncated (storage " + key + ")");
        storages[key] = {rest.data(), std::size_t(size), nullptr};
        rest = rest.subspan(std::size_t(size));
    }
    return collect(*top, [&](const StorageRef& storage) {
        const auto found = storages.find(storage.key);
        if (found == storages.end()) throw PickleError("is missing the data of storage " + storage.key);
        return found->second;
    });
}

} // namespace

NamedTensors readPthFile(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw Error(path.string() + ": cannot be read (" + std::strerror(errno) + ")");
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    try {
        if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) return readZip(path);
        return readLegacy(bytes);
    } catch (const PickleError& error) {
        throw Error(path.string() + ": " + error.what());
    }
}

} // namespace graft
