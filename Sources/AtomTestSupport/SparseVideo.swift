import Foundation

/// Makes a structurally valid MP4 of any size without writing its bytes: the source's `ftyp` and `moov`,
/// then an `mdat` with a 64-bit size covering the rest of a sparse file (for probe and memory benchmarks).
public enum SparseVideo {
    public static func make(from source: String, to path: String, size: Int64) throws {
        guard let data = FileManager.default.contents(atPath: source) else { throw CocoaError(.fileReadNoSuchFile) }
        let bytes = [UInt8](data)
        var offset = 0
        var head: [UInt8] = []
        while offset + 8 <= bytes.count {
            let boxSize = Int(UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            if type == "mdat" || boxSize < 8 { break }
            head += bytes[offset..<offset + boxSize]
            offset += boxSize
        }
        let mdatSize = UInt64(size) - UInt64(head.count)
        head += [0, 0, 0, 1] + Array("mdat".utf8)
        head += (0..<8).map { UInt8(truncatingIfNeeded: mdatSize >> (56 - 8 * UInt64($0))) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(head))
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }
}
