import Foundation
import NIOPosix

/// An image file format a cover can have, told from the file's first bytes (never from its name).
public struct ImageFormat: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The short name (`jpeg`, `png`).
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// JPEG (JFIF/Exif): starts with `FF D8 FF`.
    public static let jpeg = ImageFormat("jpeg")
    /// PNG: starts with the 8-byte PNG signature.
    public static let png = ImageFormat("png")

    /// The `Content-Type` to send it with.
    public var mimeType: String { self == .png ? "image/png" : "image/jpeg" }
    /// A file name extension for multipart uploads.
    public var fileExtension: String { self == .png ? "png" : "jpg" }
    /// `JPEG`, `PNG`.
    public var description: String { rawValue.uppercased() }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        guard value == "jpeg" || value == "png" else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown image format \(value)"))
        }
        rawValue = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A local cover image, probed from its bytes: format, pixel size and file size.
///
/// Probing reads only the PNG header or the JPEG segment headers up to the first frame header (a few small
/// reads), never the whole image.
public struct CoverImage: Sendable, Codable, Equatable {
    /// The file's path as given.
    public var path: String
    /// JPEG or PNG, from the file's signature.
    public var format: ImageFormat
    /// Pixel width.
    public var width: Int
    /// Pixel height.
    public var height: Int
    /// File size in bytes.
    public var sizeBytes: Int64

    public init(path: String, format: ImageFormat, width: Int, height: Int, sizeBytes: Int64) {
        self.path = path
        self.format = format
        self.width = width
        self.height = height
        self.sizeBytes = sizeBytes
    }

    /// `JPEG 1080×1920, 45.2 KiB`.
    public var summary: String { "\(format) \(width)×\(height), \(ByteFormat.string(sizeBytes))" }

    /// The most JPEG segments walked before the frame header (guards against hostile files).
    static let maxSegments = 4096

    /// Probes the image at `path` on the blocking-I/O pool.
    /// - Throws: ``PublishError`` (`invalidInput`) saying why the file is not a usable JPEG or PNG.
    public static func probe(path: String) async throws -> CoverImage {
        try await NIOThreadPool.singleton.runIfActive { try probeSync(path: path) }
    }

    /// Probes the image at `path` on the calling thread.
    public static func probeSync(path: String) throws -> CoverImage {
        let file: MediaFileHandle
        do { file = try MediaFileHandle(path: path) } catch let error as PublishError {
            throw PublishError(
                .invalidInput, message: "cover: \(error.message)", remediation: "pass a JPEG or PNG image to --cover")
        }
        return try probeSync(file)
    }

    /// Probes an open file on the calling thread.
    public static func probeSync(_ file: MediaFileHandle) throws -> CoverImage {
        func refuse(_ why: String) -> PublishError {
            PublishError(
                .invalidInput, message: "cover \(file.path) \(why)", remediation: "pass a JPEG or PNG image to --cover")
        }
        let head = try file.readSync(offset: 0, count: 33)
        if head.count >= 24, head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            guard Array(head[12..<16]) == Array("IHDR".utf8) else { throw refuse("is a PNG without its IHDR header") }
            let width = Int(be32(head, 16))
            let height = Int(be32(head, 20))
            guard width > 0, height > 0 else { throw refuse("is a PNG of zero size") }
            return CoverImage(path: file.path, format: .png, width: width, height: height, sizeBytes: file.size)
        }
        if head.count >= 4, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF {
            let (width, height) = try jpegSize(file, refuse: refuse)
            return CoverImage(path: file.path, format: .jpeg, width: width, height: height, sizeBytes: file.size)
        }
        throw refuse(file.size == 0 ? "is empty" : "is not a JPEG or PNG image (its first bytes say otherwise)")
    }

    /// Walks JPEG segments from `SOI` to the first `SOFn` and reads the frame's height and width.
    private static func jpegSize(_ file: MediaFileHandle, refuse: (String) -> PublishError) throws -> (Int, Int) {
        var offset: Int64 = 2
        for _ in 0..<maxSegments {
            let header = try file.readSync(offset: offset, count: 9)
            guard header.count >= 4, header[0] == 0xFF else {
                throw refuse("is a damaged JPEG (no frame header found)")
            }
            let marker = header[1]
            if marker == 0xFF {  // fill byte
                offset += 1
                continue
            }
            if marker == 0xD9 || marker == 0xDA {
                throw refuse("is a damaged JPEG (image data before the frame header)")
            }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 {
                offset += 2
                continue
            }
            let length = Int64(header[2]) << 8 | Int64(header[3])
            guard length >= 2 else { throw refuse("is a damaged JPEG (segment of length \(length))") }
            let isFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isFrame {
                guard header.count >= 9 else { throw refuse("is a truncated JPEG") }
                let height = Int(header[5]) << 8 | Int(header[6])
                let width = Int(header[7]) << 8 | Int(header[8])
                guard width > 0, height > 0 else { throw refuse("is a JPEG of zero size") }
                return (width, height)
            }
            offset += 2 + length
            guard offset < file.size else { throw refuse("is a truncated JPEG (no frame header)") }
        }
        throw refuse("is a JPEG with too many segments before its frame header")
    }

    private static func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}
