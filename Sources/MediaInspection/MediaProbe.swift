import Foundation
import NIOPosix
import PublishingCore

/// Reads an MP4/MOV (ISO BMFF) file's box headers — `moov` at the start or the end — and reports what
/// the platforms' limits are about. Reads only box headers and the few small boxes it needs (`mvhd`,
/// `tkhd`, `mdhd`, `hdlr`, `stsd`, `stts`, `elst`), never sample data: a 4 GiB file costs a few reads.
public enum MediaProbe {
    /// The most bytes read from any one box (guards against hostile sizes).
    static let maxLeafBytes = 4 << 20

    /// Probes the file at `path`.
    /// - Throws: ``PublishError`` (`invalidInput` / `unsupportedMedia`) saying why the file is not a usable video.
    public static func probe(path: String) async throws -> MediaInfo {
        let file = try MediaFileHandle(path: path)
        return try await probe(file)
    }

    /// Probes an open file on the blocking-I/O pool.
    public static func probe(_ file: MediaFileHandle) async throws -> MediaInfo {
        try await NIOThreadPool.singleton.runIfActive { try probeSync(file) }
    }

    /// Probes an open file on the calling thread.
    public static func probeSync(_ file: MediaFileHandle) throws -> MediaInfo {
        var reader = BoxReader(file: file)
        return try reader.run()
    }
}

private struct Box {
    var type: String
    var start: Int64
    var headerSize: Int64
    var size: Int64
    var payloadStart: Int64 { start + headerSize }
    var end: Int64 { start + size }
    var payloadSize: Int64 { size - headerSize }
}

private struct Track {
    var handler = ""
    var timescale: UInt32 = 0
    var mediaDuration: UInt64 = 0
    var width = 0.0
    var height = 0.0
    var rotation = 0
    var codec: String?
    var sampleRate: Int?
    var sampleCount: UInt64 = 0
    var hasEditList = false
}

private struct BoxReader {
    let file: MediaFileHandle
    var tracks: [Track] = []
    var movieTimescale: UInt32 = 0
    var movieDuration: UInt64 = 0

    init(file: MediaFileHandle) { self.file = file }

    func fail(_ message: String, code: PublishError.Code = .unsupportedMedia) -> PublishError {
        PublishError(code, message: "\(file.path): \(message)", remediation: "export the video as MP4 (H.264/AAC) or MOV and try again")
    }

    func header(at offset: Int64, limit: Int64) throws -> Box? {
        guard offset + 8 <= limit else { return nil }
        let bytes = try file.readSync(offset: offset, count: 16)
        guard bytes.count >= 8 else { return nil }
        var size = Int64(be32(bytes, 0))
        let type = String(decoding: bytes[4..<8].map { $0 >= 32 && $0 < 127 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        var headerSize: Int64 = 8
        if size == 1 {
            guard bytes.count >= 16 else { throw fail("is truncated inside the '\(type)' box header", code: .invalidInput) }
            size = Int64(bitPattern: be64(bytes, 8))
            headerSize = 16
        } else if size == 0 {
            size = limit - offset
        }
        guard size >= headerSize else { throw fail("has a corrupt '\(type)' box (size \(size))", code: .invalidInput) }
        return Box(type: type, start: offset, headerSize: headerSize, size: size)
    }

    func payload(_ box: Box, max: Int = MediaProbe.maxLeafBytes) throws -> [UInt8] {
        try file.readSync(offset: box.payloadStart, count: Int(min(Int64(max), box.payloadSize)))
    }

    mutating func run() throws -> MediaInfo {
        let size = file.size
        guard size >= 8 else { throw fail("is not a video (\(size) bytes)", code: .unsupportedMedia) }
        var offset: Int64 = 0
        var brand = ""
        var moov: Box?
        var mdatOffset: Int64?
        var first = true
        let known: Set<String> = ["ftyp", "moov", "mdat", "free", "skip", "wide", "pnot", "uuid", "meta", "moof", "mfra", "sidx", "styp", "pdin", "prft", "emsg"]
        while let box = try header(at: offset, limit: size) {
            if first {
                guard ["ftyp", "moov", "mdat", "wide", "free", "skip", "pnot"].contains(box.type) else {
                    throw fail("is not an MP4/MOV video (it does not start with an ISO media box)")
                }
                first = false
            }
            guard known.contains(box.type) || box.type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == " " }) else {
                throw fail("is not an MP4/MOV video (unexpected data at byte \(offset))")
            }
            if box.end > size {
                throw fail("is truncated: the '\(box.type)' box needs \(box.end) bytes but the file has \(size)", code: .invalidInput)
            }
            switch box.type {
            case "ftyp":
                let bytes = try payload(box, max: 64)
                if bytes.count >= 4 { brand = String(decoding: bytes[0..<4], as: UTF8.self).trimmingCharacters(in: .whitespaces) }
            case "moov": moov = box
            case "mdat": if mdatOffset == nil { mdatOffset = box.start }
            default: break
            }
            offset = box.end
        }
        guard let moov else { throw fail("has no 'moov' box: it is incomplete or not an MP4/MOV video", code: .invalidInput) }
        guard mdatOffset != nil else { throw fail("has no media data ('mdat' box)", code: .invalidInput) }
        try walk(moov, path: [])
        guard let video = tracks.first(where: { $0.handler == "vide" }) else { throw fail("has no video track") }
        let audio = tracks.first(where: { $0.handler == "soun" })
        let duration: Double
        if movieTimescale > 0, movieDuration > 0 {
            duration = Double(movieDuration) / Double(movieTimescale)
        } else if video.timescale > 0 {
            duration = Double(video.mediaDuration) / Double(video.timescale)
        } else {
            duration = 0
        }
        var frameRate: Double?
        if video.timescale > 0, video.mediaDuration > 0, video.sampleCount > 0 {
            frameRate = (Double(video.sampleCount) * Double(video.timescale) / Double(video.mediaDuration) * 100).rounded() / 100
        }
        let rotated = video.rotation == 90 || video.rotation == 270
        let width = Int(video.width.rounded())
        let height = Int(video.height.rounded())
        let container = (brand == "qt" || brand.isEmpty) ? "mov" : "mp4"
        return MediaInfo(
            container: container, brand: brand.isEmpty ? "qt" : brand, sizeBytes: size, duration: (duration * 1000).rounded() / 1000,
            width: rotated ? height : width, height: rotated ? width : height, rotation: video.rotation,
            frameRate: frameRate, videoCodec: video.codec, audioCodec: audio?.codec, audioSampleRate: audio?.sampleRate,
            moovAtStart: moov.start < (mdatOffset ?? .max), hasEditList: tracks.contains { $0.hasEditList }
        )
    }

    mutating func walk(_ parent: Box, path: [String]) throws {
        var offset = parent.payloadStart
        if parent.type == "stsd" { return }
        while let box = try header(at: offset, limit: parent.end) {
            guard box.end <= parent.end else { throw fail("has a corrupt '\(box.type)' box inside '\(parent.type)'", code: .invalidInput) }
            switch box.type {
            case "trak":
                tracks.append(Track())
                try walk(box, path: path + [box.type])
            case "mdia", "minf", "stbl", "edts":
                try walk(box, path: path + [box.type])
            case "mvhd": try parseMvhd(box)
            case "tkhd": try parseTkhd(box)
            case "mdhd": try parseMdhd(box)
            case "hdlr" where path.last == "mdia": try parseHdlr(box)
            case "stsd": try parseStsd(box)
            case "stts": try parseStts(box)
            case "elst":
                let bytes = try payload(box, max: 8)
                if bytes.count >= 8, be32(bytes, 4) > 0, !tracks.isEmpty { tracks[tracks.count - 1].hasEditList = true }
            default: break
            }
            offset = box.end
        }
    }

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

private func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}

private func be64(_ b: [UInt8], _ i: Int) -> UInt64 {
    UInt64(be32(b, i)) << 32 | UInt64(be32(b, i + 4))
}
