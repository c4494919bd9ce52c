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

struct Box {
    var type: String
    var start: Int64
    var headerSize: Int64
    var size: Int64
    var payloadStart: Int64 { start + headerSize }
    var end: Int64 { start + size }
    var payloadSize: Int64 { size - headerSize }
}

struct Track {
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

struct BoxReader {
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
}
