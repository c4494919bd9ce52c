import Foundation
import PublishingCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way atom's files in the state folder (the record, the scheduled jobs) are locked across processes:
/// the folder is made 0700 when missing, and `body` runs holding an exclusive `flock` on `lockPath`.
package enum StateFolderLock {
    package static func withLock<T>(directory: String, lockPath: String, _ body: () throws -> T) throws -> T {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw PublishError(
                    .storage, message: "cannot create the state folder \(directory): \(error.localizedDescription)",
                    remediation: "set ATOM_STATE_DIR to a writable folder")
            }
        }
        // O_NOFOLLOW: a link planted in place of the lock file must not make atom create or open a file elsewhere.
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw PublishError(
                .storage, message: "cannot open \(lockPath): \(reason)", remediation: "remove \(lockPath); atom makes a new one")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                throw PublishError(.storage, message: "cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
