import CAtomSystem

/// What atom needs from a file's status (`fstat`/`stat`/`lstat`), through a small C shim so that every module
/// reads it the same way (Swift's own `stat` import is not stable under MemberImportVisibility).
package struct FileStatus: Sendable, Equatable {
    /// The kind of file.
    package enum Kind: Sendable, Equatable {
        case regular, directory, characterDevice, blockDevice, fifo, socket, symbolicLink, other
    }

    package var kind: Kind
    /// The permission bits (`st_mode & 07777`).
    package var permissions: UInt32
    package var size: Int64
    package var device: UInt64
    package var inode: UInt64
    /// Modification time in nanoseconds since 1970.
    package var modifiedNanoseconds: Int64
    /// The owner's user id.
    package var owner: UInt32

    init(_ raw: atom_file_status) {
        switch raw.kind {
        case Int32(ATOM_FILE_REGULAR.rawValue): kind = .regular
        case Int32(ATOM_FILE_DIRECTORY.rawValue): kind = .directory
        case Int32(ATOM_FILE_CHARACTER_DEVICE.rawValue): kind = .characterDevice
        case Int32(ATOM_FILE_BLOCK_DEVICE.rawValue): kind = .blockDevice
        case Int32(ATOM_FILE_FIFO.rawValue): kind = .fifo
        case Int32(ATOM_FILE_SOCKET.rawValue): kind = .socket
        case Int32(ATOM_FILE_SYMBOLIC_LINK.rawValue): kind = .symbolicLink
        default: kind = .other
        }
        permissions = raw.permissions
        size = raw.size
        device = raw.device
        inode = raw.inode
        modifiedNanoseconds = raw.modified_ns
        owner = raw.owner
    }

    /// The status of an open descriptor, or `nil` with `errno` set.
    package static func of(descriptor: Int32) -> FileStatus? {
        var raw = atom_file_status()
        guard atom_fstat(descriptor, &raw) == 0 else { return nil }
        return FileStatus(raw)
    }

    /// The status of `path` (of the link itself when `followingLinks` is false), or `nil` with `errno` set.
    package static func at(_ path: String, followingLinks: Bool = true) -> FileStatus? {
        var raw = atom_file_status()
        guard atom_stat(path, followingLinks ? 1 : 0, &raw) == 0 else { return nil }
        return FileStatus(raw)
    }
}
