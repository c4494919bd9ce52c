// A small C shim over stat(2)/fstat(2)/lstat(2).
//
// Swift's `stat` struct is imported from whichever Clang module first includes <sys/stat.h> in a compile batch
// (Glibc or CDispatch), so with MemberImportVisibility a file that uses it compiles or not depending on how the
// driver batches files. These functions give atom one stable, plain-C view of what it needs from a file's status.
#ifndef ATOM_SYSTEM_H
#define ATOM_SYSTEM_H

#include <stdint.h>

typedef enum {
    ATOM_FILE_OTHER = 0,
    ATOM_FILE_REGULAR = 1,
    ATOM_FILE_DIRECTORY = 2,
    ATOM_FILE_CHARACTER_DEVICE = 3,
    ATOM_FILE_BLOCK_DEVICE = 4,
    ATOM_FILE_FIFO = 5,
    ATOM_FILE_SOCKET = 6,
    ATOM_FILE_SYMBOLIC_LINK = 7,
} atom_file_kind;

typedef struct {
    int32_t kind;        // an atom_file_kind
    uint32_t permissions; // st_mode & 07777
    int64_t size;
    uint64_t device;
    uint64_t inode;
    int64_t modified_ns; // st_mtim in nanoseconds since the epoch
    uint32_t owner;
} atom_file_status;

/// fstat(2) of an open descriptor. Returns 0, or -1 with errno set.
int atom_fstat(int fd, atom_file_status *out);

/// stat(2) (follow != 0) or lstat(2) of a path. Returns 0, or -1 with errno set.
int atom_stat(const char *path, int follow, atom_file_status *out);

#endif
