import Foundation
import PublishingCore

/// The few small boxes the probe reads: movie and track headers, media header, handler, sample description
/// and sample timing.
extension BoxReader {
    mutating func parseMvhd(_ box: Box) throws {
        let b = try payload(box, max: 32)
        guard b.count >= 20 else { throw fail("has a truncated 'mvhd' box", code: .invalidInput) }
        if b[0] == 1, b.count >= 32 {
            movieTimescale = be32(b, 20)
            movieDuration = be64(b, 24)
        } else {
            movieTimescale = be32(b, 12)
            movieDuration = UInt64(be32(b, 16))
        }
    }

    mutating func parseTkhd(_ box: Box) throws {
        guard !tracks.isEmpty else { return }
        let b = try payload(box, max: 96)
        let base = b.first == 1 ? 36 : 24  // offset just past duration
        // reserved(8) layer(2) alternate_group(2) volume(2) reserved(2) matrix(36) width(4) height(4)
        let matrix = base + 16
        guard b.count >= matrix + 44 else { throw fail("has a truncated 'tkhd' box", code: .invalidInput) }
        let a = Double(Int32(bitPattern: be32(b, matrix))) / 65536
        let bb = Double(Int32(bitPattern: be32(b, matrix + 4))) / 65536
        var degrees = Int((atan2(bb, a) * 180 / .pi).rounded())
        degrees = ((degrees % 360) + 360) % 360
        let index = tracks.count - 1
        tracks[index].rotation = [0, 90, 180, 270].min(by: { abs($0 - degrees) < abs($1 - degrees) }) ?? 0
        tracks[index].width = Double(be32(b, matrix + 36)) / 65536
        tracks[index].height = Double(be32(b, matrix + 40)) / 65536
    }

    mutating func parseMdhd(_ box: Box) throws {
        guard !tracks.isEmpty else { return }
        let b = try payload(box, max: 32)
        guard b.count >= 20 else { throw fail("has a truncated 'mdhd' box", code: .invalidInput) }
        let index = tracks.count - 1
        if b[0] == 1, b.count >= 32 {
            tracks[index].timescale = be32(b, 20)
            tracks[index].mediaDuration = be64(b, 24)
        } else {
            tracks[index].timescale = be32(b, 12)
            tracks[index].mediaDuration = UInt64(be32(b, 16))
        }
    }

    mutating func parseHdlr(_ box: Box) throws {
        guard !tracks.isEmpty else { return }
        let b = try payload(box, max: 12)
        guard b.count >= 12 else { return }
        tracks[tracks.count - 1].handler = String(decoding: b[8..<12], as: UTF8.self)
    }

    mutating func parseStsd(_ box: Box) throws {
        guard !tracks.isEmpty else { return }
        let b = try payload(box, max: 4096)
        guard b.count >= 16 else { return }
        let fourcc = String(decoding: b[12..<16], as: UTF8.self)
        let index = tracks.count - 1
        let names: [String: String] = [
            "avc1": "h264", "avc3": "h264", "hvc1": "hevc", "hev1": "hevc", "vp09": "vp9", "vp08": "vp8", "av01": "av1",
            "mp4v": "mpeg4", "apch": "prores", "apcn": "prores", "apcs": "prores", "apco": "prores", "ap4h": "prores",
            "mp4a": "aac", ".mp3": "mp3", "Opus": "opus", "ac-3": "ac3", "ec-3": "eac3", "alac": "alac", "fLaC": "flac",
            "lpcm": "pcm", "sowt": "pcm", "twos": "pcm", "ipcm": "pcm", "fpcm": "pcm",
        ]
        var codec = names[fourcc] ?? fourcc.trimmingCharacters(in: .whitespaces)
        // entry: size(4) type(4) reserved(6) dref(2) = 16 bytes, then the sample-entry body.
        let entry = 8
        if tracks[index].handler == "soun", b.count >= entry + 16 + 20 {
            tracks[index].sampleRate = Int(be32(b, entry + 16 + 16) >> 16)
            if fourcc == "mp4a", let esds = findESDSObjectType(b, from: entry + 16 + 20), esds == 0x69 || esds == 0x6B {
                codec = "mp3"
            }
        }
        tracks[index].codec = codec
    }

    func findESDSObjectType(_ b: [UInt8], from start: Int) -> UInt8? {
        guard start < b.count else { return nil }
        var i = start
        while i + 4 <= b.count - 4 {
            if b[i] == UInt8(ascii: "e"), b[i + 1] == UInt8(ascii: "s"), b[i + 2] == UInt8(ascii: "d"), b[i + 3] == UInt8(ascii: "s") {
                var j = i + 8  // after type + version/flags
                while j < b.count - 1 {
                    if b[j] == 0x04 {  // DecoderConfigDescriptor tag
                        var k = j + 1
                        while k < b.count, b[k] & 0x80 != 0 { k += 1 }
                        return k + 1 < b.count ? b[k + 1] : nil
                    }
                    j += 1
                }
                return nil
            }
            i += 1
        }
        return nil
    }

    mutating func parseStts(_ box: Box) throws {
        guard !tracks.isEmpty else { return }
        let b = try payload(box, max: 1 << 20)
        guard b.count >= 8 else { return }
        let entries = Int(be32(b, 4))
        var total: UInt64 = 0
        var i = 0
        while i < entries, 8 + i * 8 + 8 <= b.count {
            total += UInt64(be32(b, 8 + i * 8))
            i += 1
        }
        tracks[tracks.count - 1].sampleCount = total
    }
}

func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

func be64(_ b: [UInt8], _ i: Int) -> UInt64 {
    UInt64(be32(b, i)) << 32 | UInt64(be32(b, i + 4))
}
