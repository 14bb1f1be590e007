#include "models/RestrictedUnpickler.h"

#include <bit>
#include <cstring>
#include <map>
#include <unordered_map>

namespace graft {
namespace {

enum Opcode : std::uint8_t {
    MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', BININT = 'J', BININT1 = 'K', BININT2 = 'M',
    NONE = 'N', BINPERSID = 'Q', REDUCE = 'R', BINUNICODE = 'X', EMPTY_LIST = ']', APPEND = 'a', BUILD = 'b',
    GLOBAL = 'c', APPENDS = 'e', BINGET = 'h', LONG_BINGET = 'j', EMPTY_DICT = '}', SETITEM = 's', TUPLE = 't',
    SETITEMS = 'u', BINFLOAT = 'G', BINPUT = 'q', LONG_BINPUT = 'r', EMPTY_TUPLE = ')', BINBYTES = 'B',
    SHORT_BINBYTES = 'C', PROTO = 0x80, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88,
    NEWFALSE = 0x89, LONG1 = 0x8a, SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e,
    STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
};

PickleRef make(PickleValue::Kind kind) {
    auto value = std::make_shared<PickleValue>();
    value->kind = kind;
    return value;
}

class Machine {
public:
    Machine(std::span<const std::uint8_t> bytes, const UnpicklerHooks& hooks) : bytes_(bytes), hooks_(hooks) {}

    PickleRef run(std::size_t* consumed) {
        while (true) {
            const std::uint8_t opcode = readByte();
            if (opcode == STOP) break;
            execute(opcode);
        }
        if (stack_.size() != 1) fail("ends with " + std::to_string(stack_.size()) + " values on the stack");
        if (consumed) *consumed = position_;
        return stack_.back();
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw PickleError("malformed pickle at byte " + std::to_string(position_) + ": " + what);
    }

    std::span<const std::uint8_t> take(std::uint64_t count) {
        if (count > bytes_.size() - position_) fail("truncated");
        const auto chunk = bytes_.subspan(position_, std::size_t(count));
        position_ += std::size_t(count);
        return chunk;
    }
    std::uint8_t readByte() { return take(1)[0]; }
    template <typename T> T readLittleEndian() {
        T value;
        std::memcpy(&value, take(sizeof(T)).data(), sizeof(T));
        static_assert(std::endian::native == std::endian::little, "pickle integers are little-endian");
        return value;
    }
    std::string readLine() {
        std::string line;
        for (char c; (c = char(readByte())) != '\n';) line += c;
        return line;
    }
    std::string readText(std::uint64_t size) {
        const auto chunk = take(size);
        return {chunk.begin(), chunk.end()};
    }

    PickleRef pop() {
        if (stack_.empty() || (!marks_.empty() && stack_.size() == marks_.back())) fail("stack underflow");
        auto value = std::move(stack_.back());
        stack_.pop_back();
        return value;
    }
    PickleRef& top() {
        if (stack_.empty()) fail("stack underflow");
        return stack_.back();
    }
    std::vector<PickleRef> popToMark() {
        if (marks_.empty()) fail("no MARK");
        std::vector<PickleRef> items(stack_.begin() + std::ptrdiff_t(marks_.back()), stack_.end());
        stack_.resize(marks_.back());
        marks_.pop_back();
        return items;
    }
    void push(PickleRef value) { stack_.push_back(std::move(value)); }
    void pushScalar(PickleValue::Kind kind, std::int64_t integer) {
        auto value = make(kind);
        value->integer = integer;
        value->boolean = integer != 0;
        push(value);
    }
    void pushText(PickleValue::Kind kind, std::string text) {
        auto value = make(kind);
        value->text = std::move(text);
        push(value);
    }
    void pushTuple(std::vector<PickleRef> items) {
        auto tuple = make(PickleValue::Kind::Tuple);
        std::uint64_t oldest = kNoContainer;
        for (const auto& item : items) oldest = std::min(oldest, oldestContainerReached(item));
        tuple->items = std::move(items);
        if (oldest != kNoContainer) reached_.emplace(tuple.get(), oldest);
        kept_.push_back(tuple);
        push(tuple);
    }
    // A list or dict gets its number when made, so containers are numbered in creation order.
    void pushMade(PickleRef value) {
        if (value->kind == PickleValue::Kind::List || value->kind == PickleValue::Kind::Dict) {
            if (reached_.try_emplace(value.get(), nextContainer_).second) ++nextContainer_;
            kept_.push_back(value);
        }
        push(std::move(value));
    }
    // Cycles (a list put into itself, directly or through other containers) would leak, being
    // shared_ptrs, and a weights file never has one (found by fuzzing). A container may only take
    // values that reach no list or dict made before or as it, which rules out every cycle:
    // parents are made before their children in what torch.save writes.
    std::uint64_t oldestContainerReached(const PickleRef& value) const {
        const auto found = reached_.find(value.get());
        return found == reached_.end() ? kNoContainer : found->second;
    }
    void checkAcyclic(const PickleRef& container, const std::vector<PickleRef>& items) const {
        const auto number = oldestContainerReached(container);
        for (const auto& item : items)
            if (oldestContainerReached(item) <= number) fail("a container inside itself (or an older one)");
    }
    void pushGlobal(const std::string& module, const std::string& name) {
        const std::string global = module + "." + name;
        if (!hooks_.allowedGlobals.contains(global))
            throw PickleError("refuses to load '" + global +
                              "': a weights file may only reference tensors and containers, so this one is "
                              "unsafe or not a weights file. Nothing was executed.");
        pushText(PickleValue::Kind::Global, global);
    }
    PickleRef memoGet(std::uint32_t index) {
        const auto found = memo_.find(index);
        if (found == memo_.end()) fail("memo " + std::to_string(index) + " is unset");
        return found->second;
    }
    void setItems(const PickleRef& dict, const std::vector<PickleRef>& items) {
        if (dict->kind != PickleValue::Kind::Dict || items.size() % 2 != 0) fail("SETITEMS on a non-dict");
        checkAcyclic(dict, items);
        for (std::size_t i = 0; i < items.size(); i += 2) dict->entries.emplace_back(items[i], items[i + 1]);
    }
    void append(const PickleRef& list, const std::vector<PickleRef>& items) {
        if (list->kind != PickleValue::Kind::List) fail("APPEND on a non-list");
        checkAcyclic(list, items);
        list->items.insert(list->items.end(), items.begin(), items.end());
    }

    void execute(std::uint8_t opcode) {
        using Kind = PickleValue::Kind;
        switch (opcode) {
        case PROTO: readByte(); break;
        case FRAME: readLittleEndian<std::uint64_t>(); break;
        case MARK: marks_.push_back(stack_.size()); break;
        case POP: pop(); break;
        case POP_MARK: popToMark(); break;
        case DUP: push(top()); break;
        case NONE: push(make(Kind::None)); break;
        case NEWTRUE: pushScalar(Kind::Bool, 1); break;
        case NEWFALSE: pushScalar(Kind::Bool, 0); break;
        case BININT: pushScalar(Kind::Int, readLittleEndian<std::int32_t>()); break;
        case BININT1: pushScalar(Kind::Int, readByte()); break;
        case BININT2: pushScalar(Kind::Int, readLittleEndian<std::uint16_t>()); break;
        case LONG1: {
            const std::uint8_t size = readByte();
            if (size > 8) fail("integer wider than 64 bits");
            const auto digits = take(size);
            std::uint64_t value = 0;
            for (std::size_t i = 0; i < size; ++i) value |= std::uint64_t(digits[i]) << (8 * i);
            if (size > 0 && size < 8 && (digits[size - 1] & 0x80)) value |= ~std::uint64_t(0) << (8 * size);
            pushScalar(Kind::Int, std::int64_t(value));
            break;
        }
        case BINFLOAT: {
            std::uint64_t bits = 0;
            for (auto byte : take(8)) bits = (bits << 8) | byte; // big-endian
            auto value = make(Kind::Float);
            value->real = std::bit_cast<double>(bits);
            push(value);
            break;
        }
        case SHORT_BINUNICODE: pushText(Kind::String, readText(readByte())); break;
        case BINUNICODE: pushText(Kind::String, readText(readLittleEndian<std::uint32_t>())); break;
        case BINUNICODE8: pushText(Kind::String, readText(readLittleEndian<std::uint64_t>())); break;
        case SHORT_BINBYTES: pushText(Kind::Bytes, readText(readByte())); break;
        case BINBYTES: pushText(Kind::Bytes, readText(readLittleEndian<std::uint32_t>())); break;
        case BINBYTES8: pushText(Kind::Bytes, readText(readLittleEndian<std::uint64_t>())); break;
        case EMPTY_TUPLE: pushTuple({}); break;
        case TUPLE1: pushTuple({pop()}); break;
        case TUPLE2: {
            auto second = pop();
            auto first = pop();
            pushTuple({first, second});
            break;
        }
        case TUPLE3: {
            auto third = pop();
            auto second = pop();
            auto first = pop();
            pushTuple({first, second, third});
            break;
        }
        case TUPLE: pushTuple(popToMark()); break;
        case EMPTY_LIST: pushMade(make(Kind::List)); break;
        case EMPTY_DICT: pushMade(make(Kind::Dict)); break;
        case APPEND: {
            auto value = pop();
            append(top(), {value});
            break;
        }
        case APPENDS: {
            auto items = popToMark();
            append(top(), items);
            break;
        }
        case SETITEM: {
            auto value = pop();
            auto key = pop();
            setItems(top(), {key, value});
            break;
        }
        case SETITEMS: {
            auto items = popToMark();
            setItems(top(), items);
            break;
        }
        case BINPUT: memo_[readByte()] = top(); break;
        case LONG_BINPUT: memo_[readLittleEndian<std::uint32_t>()] = top(); break;
        case MEMOIZE: memo_[std::uint32_t(memo_.size())] = top(); break;
        case BINGET: push(memoGet(readByte())); break;
        case LONG_BINGET: push(memoGet(readLittleEndian<std::uint32_t>())); break;
        case GLOBAL: {
            const std::string module = readLine();
            pushGlobal(module, readLine());
            break;
        }
        case STACK_GLOBAL: {
            auto name = pop();
            auto module = pop();
            if (module->kind != Kind::String || name->kind != Kind::String) fail("STACK_GLOBAL needs two strings");
            pushGlobal(module->text, name->text);
            break;
        }
        case REDUCE: {
            auto args = pop();
            auto callable = pop();
            if (callable->kind != Kind::Global || args->kind != Kind::Tuple) fail("REDUCE needs a global and a tuple");
            pushMade(hooks_.reduce(callable->text, *args));
            break;
        }
        case BINPERSID: {
            auto id = pop();
            if (!hooks_.persistentLoad) fail("persistent id without a storage source");
            push(hooks_.persistentLoad(*id));
            break;
        }
        case BUILD: {
            // torch's OrderedDict carries `_metadata` (per-module versions) as its state; Graft
            // does not need it. State on anything else is not something a weights file has.
            pop();
            if (top()->kind != Kind::Dict) fail("BUILD on a non-dict");
            break;
        }
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", opcode);
            fail(std::string("unsupported opcode ") + hex);
        }
        }
    }

    std::span<const std::uint8_t> bytes_;
    const UnpicklerHooks& hooks_;
    std::size_t position_ = 0;
    std::vector<PickleRef> stack_;
    std::vector<std::size_t> marks_;
    std::map<std::uint32_t, PickleRef> memo_;
    static constexpr std::uint64_t kNoContainer = ~std::uint64_t(0);
    std::uint64_t nextContainer_ = 0;
    // Per list, dict and tuple: the number of the oldest list or dict it reaches (itself included).
    std::unordered_map<const PickleValue*, std::uint64_t> reached_;
    std::vector<PickleRef> kept_; // alive until the end, so no address in reached_ is reused
};

} // namespace

const PickleValue& PickleValue::item(std::size_t index) const {
    if ((kind != Kind::Tuple && kind != Kind::List) || index >= items.size())
        throw PickleError("expected a tuple with at least " + std::to_string(index + 1) + " items");
    return *items[index];
}

std::int64_t PickleValue::asInt() const {
    if (kind != Kind::Int && kind != Kind::Bool) throw PickleError("expected an integer");
    return integer;
}

const std::string& PickleValue::asString() const {
    if (kind != Kind::String) throw PickleError("expected a string");
    return text;
}

PickleRef unpickle(std::span<const std::uint8_t> bytes, const UnpicklerHooks& hooks, std::size_t* consumed) {
    return Machine(bytes, hooks).run(consumed);
}

} // namespace graft
