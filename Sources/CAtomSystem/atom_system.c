#include "atom_system.h"

#include <sys/stat.h>

static void fill(const struct stat *st, atom_file_status *out) {
    switch (st->st_mode & S_IFMT) {
    case S_IFREG: out->kind = ATOM_FILE_REGULAR; break;
    case S_IFDIR: out->kind = ATOM_FILE_DIRECTORY; break;
    case S_IFCHR: out->kind = ATOM_FILE_CHARACTER_DEVICE; break;
    case S_IFBLK: out->kind = ATOM_FILE_BLOCK_DEVICE; break;
    case S_IFIFO: out->kind = ATOM_FILE_FIFO; break;
    case S_IFSOCK: out->kind = ATOM_FILE_SOCKET; break;
    case S_IFLNK: out->kind = ATOM_FILE_SYMBOLIC_LINK; break;
    default: out->kind = ATOM_FILE_OTHER; break;
    }
    out->permissions = (uint32_t)(st->st_mode & 07777);
    out->size = (int64_t)st->st_size;
    out->device = (uint64_t)st->st_dev;
    out->inode = (uint64_t)st->st_ino;
#if defined(__APPLE__)
    out->modified_ns = (int64_t)st->st_mtimespec.tv_sec * 1000000000LL + (int64_t)st->st_mtimespec.tv_nsec;
#else
    out->modified_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + (int64_t)st->st_mtim.tv_nsec;
#endif
    out->owner = (uint32_t)st->st_uid;
}

int atom_fstat(int fd, atom_file_status *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    fill(&st, out);
    return 0;
}

int atom_stat(const char *path, int follow, atom_file_status *out) {
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return -1;
    fill(&st, out);
    return 0;
}
