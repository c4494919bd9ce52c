import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// One object or part body as S3 gets it: the bytes, the payload hash the signature covers, the headers that say how
/// the body is encoded and checksummed, and (once sent) the CRC-32C S3 checked.
///
/// With checksums on (``S3Configuration/requestChecksums``) every body carries a CRC-32C that S3 verifies before it
/// keeps the bytes, and every part's goes into `CompleteMultipartUpload`, as the AWS SDKs have done by default since
/// 2025. Where the payload is unsigned (TLS or loopback) the checksum travels in an `aws-chunked` trailer, computed
/// from each chunk as it is read for sending, so the file is read once; where the payload is signed, the one pass that
/// hashes it for the signature computes the checksum too, and it goes in a header.
struct S3Payload: Sendable {
    let body: HTTPBody
    let payloadHash: String
    let headers: [(String, String)]
    private let checksum: ChecksumBox

    /// The CRC-32C (base64) of the bytes sent, once the body has been sent; nil when checksums are off.
    var sentChecksum: String? { checksum.value }

    /// S3's name for the algorithm in `x-amz-checksum-algorithm` and `x-amz-sdk-checksum-algorithm`.
    static let algorithm = "CRC32C"
    /// The checksum header and trailer name.
    static let checksumHeader = "x-amz-checksum-crc32c"

    init(body: HTTPBody, payloadHash: String, headers: [(String, String)] = []) {
        self.init(body: body, payloadHash: payloadHash, headers: headers, checksum: ChecksumBox())
    }

    private init(body: HTTPBody, payloadHash: String, headers: [(String, String)], checksum: ChecksumBox) {
        self.body = body
        self.payloadHash = payloadHash
        self.headers = headers
        self.checksum = checksum
    }

    /// The CRC-32C sent, checked against the one S3 answers with (`x-amz-checksum-crc32c`, when it does): S3 has
    /// verified the bytes against it, so a different value means the answer is not for these bytes.
    func confirmedChecksum(_ response: HTTPResponse, operationID: String) throws -> String? {
        guard let sent = sentChecksum else { return nil }
        if let echoed = response.headerFields.s3Value(Self.checksumHeader), echoed != sent {
            throw PublishError(
                .protocolViolation, platform: .staging, operationID: operationID,
                message: "S3 confirmed CRC-32C \(Redaction.outsideText(echoed, limit: 16)) for bytes whose CRC-32C is \(sent)", retryable: true)
        }
        return sent
    }

    /// How the bytes of `region` go, decided (and, for a signed payload, hashed) once for every attempt.
    struct Plan: Sendable {
        let region: FileRegion
        let unsigned: Bool
        let checksum: Bool
        /// The signed payload's SHA-256 and CRC-32C, from one pass over the bytes.
        let digests: (sha256: String, crc32c: UInt32)?

        /// Decides, and hashes a payload that is signed.
        /// - Parameters:
        ///   - unsigned: Whether the payload goes unsigned (``S3Client/sendsUnsignedPayload``).
        ///   - checksum: Whether it carries a CRC-32C.
        static func prepare(_ region: FileRegion, unsigned: Bool, checksum: Bool) async throws -> Plan {
            let digests = unsigned ? nil : try await FileDigest.sha256AndCRC32C(of: region.file, in: region.range)
            return Plan(region: region, unsigned: unsigned, checksum: checksum, digests: digests)
        }

        /// A fresh body for one attempt, counting its chunks with `onChunk`.
        func payload(onChunk: (@Sendable (Int) -> Void)?) -> S3Payload {
            let box = ChecksumBox()
            if let digests {
                var headers: [(String, String)] = []
                if checksum {
                    let value = CRC32C(value: digests.crc32c).base64
                    box.set(value)
                    headers = [("x-amz-sdk-checksum-algorithm", algorithm), (checksumHeader, value)]
                }
                return S3Payload(body: region.body(onChunk: onChunk), payloadHash: digests.sha256, headers: headers, checksum: box)
            }
            guard checksum else {
                return S3Payload(body: region.body(onChunk: onChunk), payloadHash: SigV4Signer.unsignedPayload, headers: [], checksum: box)
            }
            let headers = [
                ("content-encoding", "aws-chunked"), ("x-amz-decoded-content-length", String(region.count)),
                ("x-amz-sdk-checksum-algorithm", algorithm), ("x-amz-trailer", checksumHeader),
            ]
            let framed = region.file.chunks(in: region.range, chunkSize: AWSChunkedTrailer.chunkSize(fitting: region.chunkSize))
            return S3Payload(
                body: framed.body(prefix: [], suffix: [], framing: AWSChunkedTrailer(box: box), onChunk: onChunk),
                payloadHash: SigV4Signer.streamingUnsignedPayloadTrailer, headers: headers, checksum: box)
        }
    }
}

/// The checksum a pass over a body computed; each pass sets it again (a retry sends the body again).
final class ChecksumBox: Sendable {
    private let stored = LockedBox<String?>(nil)
    var value: String? { stored.withLock { $0 } }
    func set(_ value: String) { stored.withLock { $0 = value } }
}

/// S3's `aws-chunked` content encoding with a trailing CRC-32C, unsigned (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`):
/// each chunk as `<hex size>\r\n<bytes>\r\n`, then `0\r\n`, the trailer `x-amz-checksum-crc32c:<base64>\r\n` and a
/// final `\r\n` (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html; the AWS SDKs send this
/// by default over TLS, e.g. aws/aws-sdk-go-v2#3005's request log). The checksum is fed each chunk as it is read.
struct AWSChunkedTrailer: ChunkFraming {
    let box: ChecksumBox
    var crc = CRC32C()

    static let crlf: [UInt8] = [13, 10]

    /// The chunk size whose framed chunk (size line, bytes, CRLF) fits a buffer of `size` bytes. The default transport
    /// reads each chunk into one buffer with its framing, and NIO rounds a buffer's capacity up to a power of two: a
    /// 1 MiB chunk plus its 11 bytes of framing would take a 2 MiB buffer.
    static func chunkSize(fitting size: Int) -> Int { max(8192, size - 128) }

    var tailLength: Int { Self.crlf.count }
    var endLength: Int { Self.ending(CRC32C()).count }

    func head(count: Int) -> [UInt8] {
        Array(String(count, radix: 16).utf8) + Self.crlf
    }

    mutating func tail(after chunk: UnsafeRawBufferPointer) -> [UInt8] {
        crc.update(chunk)
        return Self.crlf
    }

    mutating func end() -> [UInt8] {
        box.set(crc.base64)
        return Self.ending(crc)
    }

    /// The last chunk and the trailer (always the same length: a CRC-32C is 8 characters of base64).
    static func ending(_ crc: CRC32C) -> [UInt8] {
        Array("0\r\n\(S3Payload.checksumHeader):\(crc.base64)\r\n\r\n".utf8)
    }
}
