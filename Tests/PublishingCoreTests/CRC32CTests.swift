import CAtomSystem
import Foundation
import PublishingCore
import Testing

@Suite("CRC-32C: the checksum S3 verifies for every staged part")
struct CRC32CTests {
    @Test("known answers: RFC 3720's check value, 32 zero bytes and 32 0xFF bytes; S3's base64 form is big-endian")
    func knownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 (iSCSI), appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0...31)) == 0x46DD_794E)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C(value: 0xE306_9283).base64 == "4waSgw==")
    }

    @Test("the fast path equals the table-driven one for every length and alignment, however the bytes are split")
    func fastEqualsPortable() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(200 << 10)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes.withUnsafeBytes { raw in
            for length in Array(0...70) + [4095, 4096, 4097, 49_151, 49_152, 49_153, 100_000, 150_001] {
                for offset in [0, 1, 3, 7] where offset + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length])
                    let fast = atom_crc32c(0x1234_5678, slice.baseAddress, slice.count)
                    #expect(fast == atom_crc32c_portable(0x1234_5678, slice.baseAddress, slice.count), "length \(length), offset \(offset)")
                }
            }
            // Fed in pieces, or joined from two halves, it is the checksum of the whole.
            let whole = CRC32C.checksum(bytes)
            var pieces = CRC32C()
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + Int.random(in: 1...70_000))
                pieces.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
            #expect(pieces.value == whole)
            let cut = 12_345
            let joined = atom_crc32c_combine(CRC32C.checksum(bytes[..<cut]), CRC32C.checksum(bytes[cut...]), UInt64(bytes.count - cut))
            #expect(joined == whole)
        }
    }
}
