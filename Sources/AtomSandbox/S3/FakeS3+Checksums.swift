import Foundation
import PlatformKit
import PublishingCore
import S3Staging

/// A checksum S3 keeps with a part or object: the algorithm (`CRC32C`, `CRC32`, `SHA256`, …) and its base64 value.
public struct FakeS3Checksum: Sendable, Equatable {
    public var algorithm: String
    public var value: String

    /// The header (and trailer) that carries it: `x-amz-checksum-crc32c`.
    var headerName: String { "x-amz-checksum-" + algorithm.lowercased() }
}

/// How a request body is framed and checksummed, from its headers, checked before a byte of it is read.
///
/// As S3: `STREAMING-UNSIGNED-PAYLOAD-TRAILER` bodies are `aws-chunked` (`<hex size>\r\n<bytes>\r\n` … `0\r\n`, then
/// the trailer lines and an empty line), need `x-amz-decoded-content-length`, and carry the checksum `x-amz-trailer`
/// names; a checksum may instead come in an `x-amz-checksum-*` header, but not both (versity/versitygw#1657 lists S3's
/// answers). The fake verifies CRC-32C values (what atom sends); values of other algorithms (the AWS CLI's CRC32) are
/// kept and echoed but not recomputed.
struct FakeS3BodyFraming {
    /// Whether the body is `aws-chunked`.
    var chunked = false
    /// The payload length an `aws-chunked` body declares.
    var decodedLength: Int64?
    /// The algorithm of the checksum the body carries, if any.
    var algorithm: String?
    /// A checksum sent as a header (nil when it comes in the trailer, or there is none).
    var headerValue: String?

    static let checksumPrefix = "x-amz-checksum-"

    init(_ request: FakeRequest) throws {
        let payloadHash = request.header("x-amz-content-sha256")
        if payloadHash?.hasPrefix("STREAMING-AWS4") == true {
            throw FakeS3Failure(501, "NotImplemented", "The fake does not verify chunk signatures (\(payloadHash ?? ""))")
        }
        let headerChecksums = request.headers.filter {
            $0.0.lowercased().hasPrefix(Self.checksumPrefix) && !["x-amz-checksum-algorithm", "x-amz-checksum-type"].contains($0.0.lowercased())
        }
        if payloadHash == SigV4Signer.streamingUnsignedPayloadTrailer || request.header("Content-Encoding")?.contains("aws-chunked") == true {
            chunked = true
            guard let text = request.header("x-amz-decoded-content-length"), let length = Int64(text), length >= 0 else {
                throw FakeS3Failure(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
            }
            decodedLength = length
        }
        if let trailer = request.header("x-amz-trailer") {
            let name = trailer.lowercased().trimmingCharacters(in: .whitespaces)
            guard chunked, name.hasPrefix(Self.checksumPrefix), name.count > Self.checksumPrefix.count else {
                throw FakeS3Failure(400, "InvalidRequest", "The value specified in the x-amz-trailer header is not supported")
            }
            guard headerChecksums.isEmpty else { throw FakeS3Failure(400, "InvalidRequest", "Expecting a single x-amz-checksum- header") }
            algorithm = String(name.dropFirst(Self.checksumPrefix.count)).uppercased()
        } else if let (name, value) = headerChecksums.first {
            guard headerChecksums.count == 1 else { throw FakeS3Failure(400, "InvalidRequest", "Expecting a single x-amz-checksum- header") }
            algorithm = String(name.lowercased().dropFirst(Self.checksumPrefix.count)).uppercased()
            headerValue = value
        }
        if algorithm == "CRC32C", let headerValue, Data(base64Encoded: headerValue)?.count != 4 {
            throw FakeS3Failure(400, "InvalidRequest", "Value for x-amz-checksum-crc32c header is invalid.")
        }
    }

    /// The checksum the body carried, checked against `computed` (the CRC-32C of its bytes) where the fake can.
    func verified(trailer: [String: String], computed: CRC32C) throws -> FakeS3Checksum? {
        guard let algorithm else { return nil }
        let name = Self.checksumPrefix + algorithm.lowercased()
        guard let value = headerValue ?? trailer[name] else {
            throw FakeS3Failure(400, "IncompleteBody", "The request body terminated unexpectedly")
        }
        if algorithm == "CRC32C", value != computed.base64 {
            throw FakeS3Failure(400, "BadDigest", "The CRC32C you specified did not match the calculated checksum.")
        }
        return FakeS3Checksum(algorithm: algorithm, value: value)
    }
}

/// Decodes an `aws-chunked` body as it arrives, in buffers cut anywhere: hands each run of payload bytes on, and
/// collects the trailer. Malformed framing is S3's `IncompleteBody`/`InvalidRequest`, never a crash.
struct AWSChunkedDecoder {
    private enum State { case size, data(Int64), dataEnd(Int), trailer, done }
    private var state = State.size
    private var line: [UInt8] = []
    /// The trailer's `name: value` lines, names lowercased.
    private(set) var trailer: [String: String] = [:]
    /// Payload bytes decoded so far.
    private(set) var decoded: Int64 = 0

    var finished: Bool { if case .done = state { true } else { false } }

    static let maxLine = 4096

    mutating func feed(_ raw: UnsafeRawBufferPointer, _ payload: (UnsafeRawBufferPointer) throws -> Void) throws {
        var index = 0
        while index < raw.count {
            switch state {
            case .size, .trailer:
                let byte = raw[index]
                index += 1
                guard byte == 10 else {
                    line.append(byte)
                    if line.count > Self.maxLine { throw Self.malformed() }
                    continue
                }
                guard line.last == 13 else { throw Self.malformed() }
                line.removeLast()
                try endLine()
            case .data(let remaining):
                let count = Int(min(Int64(raw.count - index), remaining))
                try payload(UnsafeRawBufferPointer(rebasing: raw[index..<index + count]))
                index += count
                decoded += Int64(count)
                state = remaining == Int64(count) ? .dataEnd(0) : .data(remaining - Int64(count))
            case .dataEnd(let seen):
                guard raw[index] == (seen == 0 ? 13 : 10) else { throw Self.malformed() }
                index += 1
                state = seen == 0 ? .dataEnd(1) : .size
            case .done:
                throw Self.malformed()  // bytes after the end
            }
        }
    }

    private mutating func endLine() throws {
        let text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if case .trailer = state {
            guard !text.isEmpty else {
                state = .done
                return
            }
            guard let colon = text.firstIndex(of: ":") else { throw Self.malformed() }
            trailer[text[..<colon].lowercased()] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return
        }
        // `<hex size>` (a `;chunk-signature=` extension belongs to the signed variants, which the fake refuses earlier).
        guard !text.isEmpty, text.count <= 16, let size = Int64(text, radix: 16), size >= 0 else { throw Self.malformed() }
        state = size == 0 ? .trailer : .data(size)
    }

    static func malformed() -> FakeS3Failure {
        FakeS3Failure(400, "IncompleteBody", "The request body terminated unexpectedly")
    }
}
