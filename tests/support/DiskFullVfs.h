#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace graft::testing {

// A full disk for SQLite, without a loop mount: while alive this VFS is SQLite's default, so
// connections opened meanwhile write through it, and once the byte budget set by
// allowBytes() is spent every write fails with SQLITE_FULL, as on a full disk. It also counts the
// bytes read, to show what a query touches.
class DiskFullVfs {
public:
    DiskFullVfs() {
        real_ = sqlite3_vfs_find(nullptr);
        if (!real_) throw std::runtime_error("SQLite has no default VFS");
        vfs_ = *real_;
        vfs_.iVersion = 2;
        vfs_.zName = "graft-disk-full";
        vfs_.szOsFile = int(sizeof(File)) + real_->szOsFile;
        vfs_.pNext = nullptr;
        vfs_.pAppData = this;
        vfs_.xOpen = &DiskFullVfs::open;
        vfs_.xSetSystemCall = nullptr;
        vfs_.xGetSystemCall = nullptr;
        vfs_.xNextSystemCall = nullptr;
        if (sqlite3_vfs_register(&vfs_, 1) != SQLITE_OK) throw std::runtime_error("cannot register the VFS");
    }
    ~DiskFullVfs() {
        sqlite3_vfs_unregister(&vfs_);
        sqlite3_vfs_register(real_, 1);
    }
    DiskFullVfs(const DiskFullVfs&) = delete;
    DiskFullVfs& operator=(const DiskFullVfs&) = delete;

    // From now on the disk takes `bytes` more bytes and then is full.
    void allowBytes(std::int64_t bytes) { remaining_ = bytes; }
    void unlimited() { remaining_ = -1; }
    int refusedWrites() const { return refused_; }
    std::int64_t bytesRead() const { return read_; }

private:
    struct File {
        sqlite3_file base;
        sqlite3_file* real;
        DiskFullVfs* owner;
    };

    static sqlite3_file* real(sqlite3_file* file) { return reinterpret_cast<File*>(file)->real; }

    static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* outFlags) {
        auto* self = static_cast<DiskFullVfs*>(vfs->pAppData);
        auto* wrapped = reinterpret_cast<File*>(file);
        wrapped->real = reinterpret_cast<sqlite3_file*>(wrapped + 1);
        wrapped->owner = self;
        const int rc = self->real_->xOpen(self->real_, name, wrapped->real, flags, outFlags);
        wrapped->base.pMethods = rc == SQLITE_OK && wrapped->real->pMethods ? &methods() : nullptr;
        return rc;
    }

    static int write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
        DiskFullVfs* self = reinterpret_cast<File*>(file)->owner;
        std::int64_t left = self->remaining_.load();
        while (left >= 0) {
            if (left < amount) {
                ++self->refused_;
                return SQLITE_FULL;
            }
            if (self->remaining_.compare_exchange_weak(left, left - amount)) break;
        }
        return real(file)->pMethods->xWrite(real(file), data, amount, offset);
    }

    static const sqlite3_io_methods& methods() {
        static const sqlite3_io_methods forwarding = {
            3,
            [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); },
            [](sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
                reinterpret_cast<File*>(f)->owner->read_ += amount;
                return real(f)->pMethods->xRead(real(f), data, amount, offset);
            },
            &DiskFullVfs::write,
            [](sqlite3_file* f, sqlite3_int64 size) { return real(f)->pMethods->xTruncate(real(f), size); },
            [](sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); },
            [](sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); },
            [](sqlite3_file* f, int lock) { return real(f)->pMethods->xLock(real(f), lock); },
            [](sqlite3_file* f, int lock) { return real(f)->pMethods->xUnlock(real(f), lock); },
            [](sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); },
            [](sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); },
            [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); },
            [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); },
            [](sqlite3_file* f, int page, int size, int extend, void volatile** out) {
                return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
            },
            [](sqlite3_file* f, int offset, int n, int flags) { return real(f)->pMethods->xShmLock(real(f), offset, n, flags); },
            [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); },
            [](sqlite3_file* f, int deleteFlag) { return real(f)->pMethods->xShmUnmap(real(f), deleteFlag); },
            [](sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
                return real(f)->pMethods->xFetch(real(f), offset, amount, out);
            },
            [](sqlite3_file* f, sqlite3_int64 offset, void* page) { return real(f)->pMethods->xUnfetch(real(f), offset, page); },
        };
        return forwarding;
    }

    sqlite3_vfs* real_ = nullptr;
    sqlite3_vfs vfs_{};
    std::atomic<std::int64_t> remaining_{-1};
    std::atomic<int> refused_{0};
    std::atomic<std::int64_t> read_{0};
};

} // namespace graft::testing
