import CAtomSystem
import Foundation

/// A CRC-32C (Castagnoli) computed chunk by chunk: the checksum S3 verifies for every part atom stages
/// (`x-amz-checksum-crc32c`). It uses the CPU's CRC32 instruction where there is one (see `atom_crc32c.h`).
public struct CRC32C: Sendable, Equatable {
    /// The checksum of every byte taken in so far (0 for none).
    public private(set) var value: UInt32

    /// A checksum of no bytes, or continuing from `value`.
    public init(value: UInt32 = 0) {
        self.value = value
    }

    /// Takes in `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        value = atom_crc32c(value, bytes.baseAddress, bytes.count)
    }

    /// Takes in `bytes`.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The four bytes big-endian, in base64: how S3 writes a CRC-32C (`x-amz-checksum-crc32c`, `ChecksumCRC32C`).
    public var base64: String {
        Data([UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]).base64EncodedString()
    }

    /// Whether the CPU's instruction computes it here.
    public static var usesHardware: Bool { atom_crc32c_uses_hardware() != 0 }
}
