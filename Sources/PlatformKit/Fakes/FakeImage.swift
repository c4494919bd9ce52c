import Crypto
import Foundation

/// A cover image a fake received, checked strictly: the bytes must be a whole JPEG (`FF D8 FF` … `FF D9`) or PNG
/// (signature, `IHDR` first, `IEND` last) of the declared type, within the platform's size limit.
public struct FakeImage: Sendable, Equatable {
    /// `jpeg` or `png`, from the bytes.
    public var format: String
    /// Pixel width and height from the header.
    public var width: Int
    public var height: Int
    /// Byte count.
    public var size: Int
    /// SHA-256 (hex) of the bytes.
    public var sha256: String

    /// Checks `bytes`; returns the image, or the refusal in words.
    /// - Parameters:
    ///   - declaredType: The request's `Content-Type` for the image (checked against the bytes), if it gave one.
    ///   - maxBytes: The platform's limit.
    ///   - formats: The formats the platform takes.
    public static func check(
        _ bytes: [UInt8], declaredType: String?, maxBytes: Int, formats: Set<String> = ["jpeg", "png"]
    ) -> Result<FakeImage, FakeImageRefusal> {
        guard !bytes.isEmpty else { return .failure(FakeImageRefusal(message: "the image is empty")) }
        guard bytes.count <= maxBytes else {
            return .failure(
                FakeImageRefusal(tooLarge: true, message: "the image is \(bytes.count) bytes; the limit is \(maxBytes)")
            )
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let image: FakeImage
        if bytes.count >= 33, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            Array(bytes[12..<16]) == Array("IHDR".utf8), Array(bytes.suffix(8).prefix(4)) == Array("IEND".utf8)
        {
            image = FakeImage(
                format: "png", width: Int(be32(bytes, 16)), height: Int(be32(bytes, 20)), size: bytes.count,
                sha256: digest)
        } else if bytes.count >= 4, bytes.starts(with: [0xFF, 0xD8, 0xFF]), bytes.suffix(2) == [0xFF, 0xD9],
            let (width, height) = jpegSize(bytes)
        {
            image = FakeImage(format: "jpeg", width: width, height: height, size: bytes.count, sha256: digest)
        } else {
            return .failure(FakeImageRefusal(message: "the bytes are not a whole JPEG or PNG image"))
        }
        guard formats.contains(image.format) else {
            return .failure(FakeImageRefusal(message: "\(image.format) images are not accepted here"))
        }
        if let declared = declaredType?.lowercased().split(separator: ";").first.map(String.init),
            !["application/octet-stream", "binary/octet-stream", "image/\(image.format)"].contains(declared)
        {
            return .failure(
                FakeImageRefusal(message: "Content-Type \(declared) does not match the \(image.format) bytes"))
        }
        return .success(image)
    }

    private static func jpegSize(_ bytes: [UInt8]) -> (Int, Int)? {
        var offset = 2
        while offset + 9 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (
                    Int(bytes[offset + 7]) << 8 | Int(bytes[offset + 8]),
                    Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6])
                )
            }
            offset += 2 + length
        }
        return nil
    }

    private static func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}

/// Why a fake refused an image.
public struct FakeImageRefusal: Error, Sendable, Equatable {
    /// Over the size limit.
    public var tooLarge = false
    /// What is wrong.
    public var message: String

    /// Creates a refusal.
    public init(tooLarge: Bool = false, message: String) {
        self.tooLarge = tooLarge
        self.message = message
    }
}
