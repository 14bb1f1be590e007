#include "models/RestrictedUnpickler.h"

#include <gtest/gtest.h>

#include <string>

namespace graft {
namespace {

// Bytes written by Python's pickle.dumps(..., protocol=2), shown in the comments.
PickleRef unpickleText(const std::string& bytes) {
    return unpickle({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, UnpicklerHooks{});
}

void expectRefusedAsCycle(const std::string& bytes) {
    try {
        unpickleText(bytes);
        FAIL() << "a cycle was built";
    } catch (const PickleError& error) {
        EXPECT_NE(std::string(error.what()).find("a container inside itself"), std::string::npos) << error.what();
    }
}

// {'a': [1, {'b': (1, 2)}], 'c': ({},), 'd': [[], []]}
TEST(RestrictedUnpickler, NestedContainersReadBackAsPythonWroteThem) {
    const auto root = unpickleText(std::string("\x80\x02}q\x00(X\x01\x00\x00\x00" "aq\x01]q\x02(K\x01}q\x03X\x01\x00\x00\x00"
                                               "bq\x04K\x01K\x02\x86q\x05seX\x01\x00\x00\x00" "cq\x06}q\x07\x85q\x08X\x01\x00"
                                               "\x00\x00" "dq\t]q\n(]q\x0b]q\x0c" "eu.",
                                               75));
    ASSERT_EQ(root->kind, PickleValue::Kind::Dict);
    ASSERT_EQ(root->entries.size(), 3u);
    EXPECT_EQ(root->entries[0].first->asString(), "a");
    const auto& list = *root->entries[0].second;
    ASSERT_EQ(list.items.size(), 2u);
    EXPECT_EQ(list.item(0).asInt(), 1);
    const auto& inner = *list.items[1];
    ASSERT_EQ(inner.entries.size(), 1u);
    EXPECT_EQ(inner.entries[0].second->item(1).asInt(), 2);
    EXPECT_EQ(root->entries[1].second->item(0).kind, PickleValue::Kind::Dict);
    EXPECT_EQ(root->entries[2].second->items.size(), 2u);
}

// Found by fuzzing: cycles of shared_ptrs leaked on every load. l = []; l.append(l)
TEST(RestrictedUnpickler, AListInsideItselfIsRefused) { expectRefusedAsCycle(std::string("\x80\x02]q\x00h\x00" "a.", 9)); }

// a = []; b = [a]; a.append(b)
TEST(RestrictedUnpickler, ACycleThroughAnotherListIsRefused) {
    expectRefusedAsCycle(std::string("\x80\x02]q\x00]q\x01h\x00" "aa.", 13));
}

// d = {}; d['t'] = (d,)
TEST(RestrictedUnpickler, ACycleThroughATupleIsRefused) {
    expectRefusedAsCycle(std::string("\x80\x02}q\x00X\x01\x00\x00\x00" "tq\x01h\x00\x85q\x02s.", 20));
}

} // namespace
} // namespace graft
