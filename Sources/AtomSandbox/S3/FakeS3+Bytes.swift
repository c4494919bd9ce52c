import Crypto
import Foundation
import NIOCore
import PlatformKit
import PublishingCore
import S3Staging

/// How the fake takes a body in: to a file, hashed only as S3 would.
extension FakeS3 {

    /// Whether S3 gives an object or part stored with this server-side encryption its MD5 as ETag.
    ///
    /// S3 does for plaintext and SSE-S3 (`AES256`); for SSE-KMS (and SSE-C) the ETag is 32 hex digits that are not
    /// the MD5 of the data. Clients that compared a KMS bucket's part ETags with their own MD5s broke on exactly this
    /// (gitlab-workhorse#185: "ETag mismatch" on a KMS-encrypted bucket; aptly-dev/aptly#1117).
    static func eTagIsMD5(_ serverSideEncryption: String?) -> Bool {
        serverSideEncryption != "aws:kms"
    }

    /// What ``receive(_:into:framing:eTagIsMD5:)`` took in.
    struct Received {
        var size: Int64
        var sha256: String?
        var eTag: [UInt8]
        var checksum: FakeS3Checksum?
    }

    /// Streams the request body into `path` (decoding `aws-chunked` framing), with the 16 bytes its ETag shows; checks a
    /// signed payload's SHA-256 and the CRC-32C the body carries.
    ///
    /// The ETag bytes are the body's MD5 when `eTagIsMD5`, else random (as S3's for SSE-KMS): then no byte is hashed
    /// for them. As in S3, an `UNSIGNED-PAYLOAD` body is not hashed with SHA-256 (there is nothing to check it
    /// against): its `sha256` is nil, and ``FakeS3/sha256(of:bucket:)`` computes it when asked.
    func receive(_ request: FakeRequest, into path: String, framing: FakeS3BodyFraming, eTagIsMD5: Bool) async throws -> Received {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw FakeS3Failure(500, "InternalError", "the fake could not create a file")
        }
        defer { try? handle.close() }
        let claimed = request.header("x-amz-content-sha256").flatMap { $0.count == 64 ? $0 : nil }
        var sha: SHA256? = claimed == nil ? nil : SHA256()
        var md5: Insecure.MD5? = eTagIsMD5 ? Insecure.MD5() : nil
        var crc: CRC32C? = framing.algorithm == "CRC32C" ? CRC32C() : nil
        var decoder: AWSChunkedDecoder? = framing.chunked ? AWSChunkedDecoder() : nil
        let take = { (raw: UnsafeRawBufferPointer) throws in
            sha?.update(bufferPointer: raw)
            md5?.update(bufferPointer: raw)
            crc?.update(raw)
            try Self.write(raw, to: handle.fileDescriptor)
        }
        do {
            let sent = try await request.body.consume { buffer in
                try buffer.withUnsafeReadableBytes { raw in
                    if decoder != nil { try decoder?.feed(raw, take) } else { try take(raw) }
                }
            }
            let size = decoder?.decoded ?? sent
            if let declared = request.contentLength, declared != sent {
                throw FakeS3Failure(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
            }
            if let decoder, !decoder.finished || size != framing.decodedLength {
                throw AWSChunkedDecoder.malformed()
            }
            let digest = sha.map { FileDigest.hex($0.finalize()) }
            if let claimed, claimed != digest {
                throw FakeS3Failure(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            let checksum = try framing.verified(trailer: decoder?.trailer ?? [:], computed: crc ?? CRC32C())
            return Received(
                size: size, sha256: digest, eTag: md5.map { Array($0.finalize()) } ?? (0..<16).map { _ in UInt8.random(in: .min ... .max) },
                checksum: checksum)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Writes all of `bytes` to `descriptor`, straight from the request's buffer.
    private static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw FakeS3Failure(500, "InternalError", "the fake could not write a file: \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// The hex SHA-256 of `files`' bytes one after another, streamed in bounded chunks.
    static func sha256(of files: [FakeS3StoredFile]) async throws -> String {
        var sha = SHA256()
        for file in files {
            let handle = try MediaFileHandle(path: file.path)
            for try await chunk in handle.chunks(in: 0..<file.size, chunkSize: FileDigest.chunkSize) { sha.update(data: chunk) }
        }
        return FileDigest.hex(sha.finalize())
    }
}
