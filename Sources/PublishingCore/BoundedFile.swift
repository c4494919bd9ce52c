import CoreFoundation
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a small file the owner names (a `.env`, a manifest) without trusting what it is: the type is checked on
/// the open descriptor before any read, the open never waits (a FIFO), and at most `limit` + 1 bytes are read (so
/// `/dev/zero` is refused at once). A character device such as `/dev/null` reads as what it gives.
package enum BoundedFile {
    /// Why a file was refused; `message` names the file and the problem, never its content.
    package struct Refusal: Error, Sendable {
        package var message: String
        /// The file does not exist.
        package var missing: Bool
    }

    /// Reads `path`.
    /// - Parameters:
    ///   - path: The file.
    ///   - limit: The most bytes accepted.
    ///   - what: How messages name the file ("the manifest").
    /// - Returns: The bytes.
    /// - Throws: ``Refusal`` for a missing or unreadable file, one that is not a regular file or character device,
    ///   or one larger than `limit`.
    package static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw Refusal(message: "cannot read \(what) \(path): \(String(cString: strerror(errno)))", missing: errno == ENOENT)
        }
        defer { close(fd) }
        guard let info = FileStatus.of(descriptor: fd) else {
            throw Refusal(message: "cannot read \(what) \(path): \(String(cString: strerror(errno)))", missing: false)
        }
        guard info.kind == .regular || info.kind == .characterDevice else {
            throw Refusal(message: "\(what) \(path) is not a regular file", missing: false)
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while data.count <= limit {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { break }  // a character device with nothing to give
                throw Refusal(message: "cannot read \(what) \(path): \(String(cString: strerror(errno)))", missing: false)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        guard data.count <= limit else {
            throw Refusal(message: "\(what) \(path) is larger than \(ByteCount.describe(limit))", missing: false)
        }
        return data
    }
}

/// Byte counts in words.
enum ByteCount {
    /// `1 MiB`, `256 KiB`, `512 bytes`.
    static func describe(_ count: Int) -> String {
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count) bytes"
    }
}
