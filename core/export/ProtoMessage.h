#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace graft {

// A protocol-buffer message in wire format, written field by field: enough to write ONNX files
// without a protobuf library. Repeated scalars are written unpacked, which every parser reads.
class ProtoMessage {
public:
    ProtoMessage& varint(int field, std::int64_t value);   // int32, int64, enum, bool
    ProtoMessage& float32(int field, float value);
    ProtoMessage& bytes(int field, std::string_view data); // string, bytes
    ProtoMessage& message(int field, const ProtoMessage& nested) { return bytes(field, nested.data_); }

    const std::string& data() const { return data_; }

private:
    void key(int field, int wireType);
    void rawVarint(std::uint64_t value);

    std::string data_;
};

} // namespace graft
