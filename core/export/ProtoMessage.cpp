#include "export/ProtoMessage.h"

#include <bit>
#include <cstring>

namespace graft {

void ProtoMessage::rawVarint(std::uint64_t value) {
    while (value >= 0x80) {
        data_ += char((value & 0x7f) | 0x80);
        value >>= 7;
    }
    data_ += char(value);
}

void ProtoMessage::key(int field, int wireType) { rawVarint((std::uint64_t(field) << 3) | std::uint64_t(wireType)); }

ProtoMessage& ProtoMessage::varint(int field, std::int64_t value) {
    key(field, 0);
    rawVarint(std::uint64_t(value)); // negative numbers take ten bytes, as protobuf writes them
    return *this;
}

ProtoMessage& ProtoMessage::float32(int field, float value) {
    static_assert(std::endian::native == std::endian::little, "wire format floats are little-endian");
    key(field, 5);
    char raw[4];
    std::memcpy(raw, &value, 4);
    data_.append(raw, 4);
    return *this;
}

ProtoMessage& ProtoMessage::bytes(int field, std::string_view data) {
    key(field, 2);
    rawVarint(data.size());
    data_.append(data);
    return *this;
}

} // namespace graft
