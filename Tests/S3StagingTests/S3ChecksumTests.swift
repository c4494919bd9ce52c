@testable import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PlatformKit
import PublishingCore
@testable import S3Staging
import Testing

/// Every staged byte carries a CRC-32C S3 verifies: in an `aws-chunked` trailer where the payload is unsigned, in a
/// header beside a signed payload; the sandbox fake checks both and holds atom to S3's rules for checksummed uploads.
@Suite("S3 checksums: a CRC-32C on every part, verified")
struct S3ChecksumTests {
    /// The CRC-32C (base64) of bytes `range` of `path`.
    static func crc(_ path: String, _ range: Range<Int64>) throws -> String {
        let file = try MediaFileHandle(path: path)
        return CRC32C(value: CRC32C.checksum(try file.readSync(offset: range.lowerBound, count: Int(range.count)))).base64
    }

    /// A hand-made `aws-chunked` body of `bytes` in chunks of `chunk`, ending with `trailer` lines.
    static func chunked(_ bytes: [UInt8], chunk: Int, trailer: String) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            out += Array("\(String(end - start, radix: 16))\r\n".utf8) + bytes[start..<end] + [13, 10]
            start = end
        }
        return out + Array("0\r\n\(trailer)\r\n".utf8)
    }

    static let trailerHeaders = [
        ("content-encoding", "aws-chunked"), ("x-amz-sdk-checksum-algorithm", "CRC32C"), ("x-amz-trailer", "x-amz-checksum-crc32c"),
    ]

    @Test("unsigned (loopback): each part goes aws-chunked with its CRC-32C in the trailer; the journal keeps each part's, and a resumed upload completes with them")
    func trailerOnEveryPart() async throws {
        try await S3StagerSandboxTests.withSandbox(configure: {
            $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20; $0.concurrency = 1; $0.retryPolicy = .none
        }) { fake, transport, stager, dir in
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 11 << 20)
            let sha = try await S3Test.sha256(path)
            await fake.inject(.failPart(3))
            let journal = JournalBox()
            _ = await #expect(throws: PublishError.self) {
                try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal))
            }
            let create = try #require(transport.sent.first { $0.operationID == "s3.multipart.create" })
            #expect(create.headers["x-amz-checksum-algorithm"] == "CRC32C")
            for part in transport.sent.filter({ $0.operationID == "s3.multipart.part" }) {
                #expect(part.headers["content-encoding"] == "aws-chunked")
                #expect(part.headers["x-amz-content-sha256"] == SigV4Signer.streamingUnsignedPayloadTrailer)
                #expect(part.headers["x-amz-trailer"] == "x-amz-checksum-crc32c")
                #expect(part.headers["x-amz-decoded-content-length"] == String(part.partNumber == 3 ? 1 << 20 : 5 << 20))
                #expect(part.headers["x-amz-checksum-crc32c"] == nil)
            }
            // What atom journalled is each part's own CRC-32C, computed here independently from the file.
            let journalled = try #require(journal.decoded)
            #expect(journalled.checksums == true)
            #expect(journalled.parts.map(\.checksumCRC32C) == [try Self.crc(path, 0..<(5 << 20)), try Self.crc(path, (5 << 20)..<(10 << 20))])
            // The rerun sends part 3 only; the fake completes only if every part's checksum is listed and right.
            transport.reset()
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal, checkpoint: journal.checkpoint))
            #expect(transport.partsSent == [3])
            #expect(await fake.requests().last { $0.operation == "CompleteMultipartUpload" }?.status == 200)
            #expect(try await fake.sha256(of: object.key) == sha)
        }
    }

    @Test("a single PUT carries the trailer too; signed payloads carry the checksum in a header, computed in the pass that hashes them")
    func singlePutAndSigned() async throws {
        try await S3StagerSandboxTests.withSandbox { fake, transport, stager, dir in
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 300_000)
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            let put = try #require(transport.sent.first { $0.operationID == "s3.put" })
            #expect(put.headers["x-amz-trailer"] == "x-amz-checksum-crc32c" && put.headers["x-amz-decoded-content-length"] == "300000")
            #expect(await fake.object(object.key)?.size == 300_000)
        }
        try await S3StagerSandboxTests.withSandbox(configure: { $0.payloadSigning = .signed; $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20 }) {
            fake, transport, stager, dir in
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 6 << 20)
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            let parts = transport.sent.filter { $0.operationID == "s3.multipart.part" }.sorted { ($0.partNumber ?? 0) < ($1.partNumber ?? 0) }
            #expect(parts.map { $0.headers["x-amz-checksum-crc32c"] } == [try Self.crc(path, 0..<(5 << 20)), try Self.crc(path, (5 << 20)..<(6 << 20))])
            #expect(parts.allSatisfy { $0.headers["content-encoding"] == nil && $0.headers["x-amz-content-sha256"]?.count == 64 })
            #expect(try await fake.sha256(of: object.key) == (try await S3Test.sha256(path)))
        }
    }

    @Test("AWS_REQUEST_CHECKSUM_CALCULATION=when_required sends none (for S3-compatible stores without aws-chunked); other values are refused")
    func whenRequired() async throws {
        let read = { (value: String) in try S3Configuration.read { ["ATOM_S3_BUCKET": "b-bucket", "AWS_REQUEST_CHECKSUM_CALCULATION": value][$0] } }
        #expect(try read("when_required")?.requestChecksums == false)
        #expect(try read("WHEN_SUPPORTED")?.requestChecksums == true)
        #expect(try S3Configuration.read { ["ATOM_S3_BUCKET": "b-bucket"][$0] }?.requestChecksums == true)
        let error = #expect(throws: PublishError.self) { try read("sometimes") }
        #expect(error?.message.contains("AWS_REQUEST_CHECKSUM_CALCULATION") == true)

        try await S3StagerSandboxTests.withSandbox(configure: {
            $0.requestChecksums = false; $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20
        }) { fake, transport, stager, dir in
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 6 << 20)
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            #expect(transport.sent.allSatisfy { !$0.headers.keys.contains { $0.hasPrefix("x-amz-checksum") || $0 == "x-amz-trailer" } })
            #expect(transport.sent.first { $0.operationID == "s3.multipart.part" }?.headers["x-amz-content-sha256"] == SigV4Signer.unsignedPayload)
            #expect(await fake.object(object.key)?.size == file.size)
        }
    }

    @Test("the fake holds atom to S3's rules: a wrong trailer is BadDigest, a part without its checksum or a complete without them is refused")
    func fakeRefusesWhatS3Refuses() async throws {
        try await S3StagerSandboxTests.withSandbox { fake, _, stager, _ in
            let client = stager.client
            let bytes = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let good = CRC32C(value: CRC32C.checksum(bytes)).base64
            let upload = try await client.createMultipartUpload(key: "rules.mp4", contentType: "video/mp4", checksums: true)
            func part(_ body: [UInt8], headers: [(String, String)], hash: String = SigV4Signer.streamingUnsignedPayloadTrailer) async throws -> String {
                try await client.uploadPart(
                    key: "rules.mp4", uploadID: upload, number: 1, payload: S3Payload(body: HTTPBody(body), payloadHash: hash, headers: headers)).eTag
            }
            let decoded = [("x-amz-decoded-content-length", String(bytes.count))]

            // A trailer whose CRC-32C is not the bytes': BadDigest, which atom retries as a transfer fault.
            let wrong = CRC32C(value: CRC32C.checksum(bytes) ^ 1).base64
            let badDigest = await #expect(throws: PublishError.self) {
                _ = try await part(Self.chunked(bytes, chunk: 65_536, trailer: "x-amz-checksum-crc32c:\(wrong)\r\n"), headers: Self.trailerHeaders + decoded)
            }
            #expect(badDigest?.isRetryable == true)
            #expect(await fake.requests().last?.errorCode == "BadDigest")
            // No checksum at all on an upload created with CRC32C.
            _ = await #expect(throws: PublishError.self) { _ = try await part(bytes, headers: [], hash: SigV4Signer.unsignedPayload) }
            #expect(await fake.requests().last?.errorCode == "InvalidRequest")
            // A trailer declared but missing, and chunks shorter than declared: IncompleteBody.
            _ = await #expect(throws: PublishError.self) {
                _ = try await part(Self.chunked(bytes, chunk: 65_536, trailer: ""), headers: Self.trailerHeaders + decoded)
            }
            #expect(await fake.requests().last?.errorCode == "IncompleteBody")
            _ = await #expect(throws: PublishError.self) {
                _ = try await part(Self.chunked(bytes, chunk: 65_536, trailer: "x-amz-checksum-crc32c:\(good)\r\n"),
                                   headers: Self.trailerHeaders + [("x-amz-decoded-content-length", String(bytes.count + 1))])
            }
            #expect(await fake.requests().last?.errorCode == "IncompleteBody")
            // A trailer and a checksum header together.
            _ = await #expect(throws: PublishError.self) {
                _ = try await part(Self.chunked(bytes, chunk: 65_536, trailer: "x-amz-checksum-crc32c:\(good)\r\n"),
                                   headers: Self.trailerHeaders + decoded + [("x-amz-checksum-crc32c", good)])
            }
            #expect(await fake.requests().last?.errorCode == "InvalidRequest")

            // The right trailer, in odd-sized chunks: accepted, echoed, kept with the part.
            let eTag = try await part(Self.chunked(bytes, chunk: 70_001, trailer: "x-amz-checksum-crc32c:\(good)\r\n"), headers: Self.trailerHeaders + decoded)
            #expect(await fake.uploads().first?.parts[1]?.checksum == FakeS3Checksum(algorithm: "CRC32C", value: good))
            let listed = try await client.listParts(key: "rules.mp4", uploadID: upload)
            #expect(listed.first?.checksumCRC32C == good)

            // CompleteMultipartUpload must list it, and the right one.
            _ = await #expect(throws: PublishError.self) {
                try await client.completeMultipartUpload(key: "rules.mp4", uploadID: upload, parts: [S3Part(number: 1, eTag: eTag, size: nil)])
            }
            #expect(await fake.requests().last?.errorCode == "InvalidRequest")
            _ = await #expect(throws: PublishError.self) {
                try await client.completeMultipartUpload(
                    key: "rules.mp4", uploadID: upload, parts: [S3Part(number: 1, eTag: eTag, size: nil, checksumCRC32C: wrong)])
            }
            #expect(await fake.requests().last?.errorCode == "InvalidPart")
            try await client.completeMultipartUpload(
                key: "rules.mp4", uploadID: upload, parts: [S3Part(number: 1, eTag: eTag, size: nil, checksumCRC32C: good)])
            #expect(await fake.object("rules.mp4")?.size == Int64(bytes.count))

            // And an upload created without an algorithm takes no checksummed part.
            let plain = try await client.createMultipartUpload(key: "plain.mp4", contentType: "video/mp4")
            _ = await #expect(throws: PublishError.self) {
                _ = try await client.uploadPart(
                    key: "plain.mp4", uploadID: plain, number: 1,
                    payload: S3Payload(body: HTTPBody(Self.chunked(bytes, chunk: 65_536, trailer: "x-amz-checksum-crc32c:\(good)\r\n")),
                                       payloadHash: SigV4Signer.streamingUnsignedPayloadTrailer, headers: Self.trailerHeaders + decoded))
            }
            #expect(await fake.requests().last?.errorCode == "InvalidRequest")
        }
    }

    @Test("the fake's aws-chunked decoder: any split of the stream decodes the same; bad framing is refused")
    func decoder() throws {
        let payload = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let stream = Self.chunked(payload, chunk: 3000, trailer: "x-amz-checksum-crc32c:AAAAAA==\r\n")
        for _ in 0..<50 {
            var decoder = AWSChunkedDecoder()
            var out: [UInt8] = []
            var start = 0
            while start < stream.count {
                let end = min(stream.count, start + Int.random(in: 1...4000))
                try stream[start..<end].withUnsafeBytes { try decoder.feed($0) { out += $0 } }
                start = end
            }
            #expect(out == payload && decoder.finished && decoder.decoded == 10_000)
            #expect(decoder.trailer == ["x-amz-checksum-crc32c": "AAAAAA=="])
        }
        for bad in ["zz\r\nabc\r\n", "3\r\nabcX\r\n", "3\nabc\r\n", "0\r\n\r\nextra", String(repeating: "1", count: 5000)] {
            var decoder = AWSChunkedDecoder()
            #expect(throws: FakeS3Failure.self) { try Array(bad.utf8).withUnsafeBytes { try decoder.feed($0) { _ in } } }
        }
    }

    @Test("resume: an upload an older atom began without checksums (no `checksums` in its journal) resumes and completes without them")
    func resumeKeepsChecksums() async throws {
        try await S3StagerSandboxTests.withSandbox(configure: {
            $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20; $0.concurrency = 1; $0.retryPolicy = .none
        }) { fake, transport, stager, dir in
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 11 << 20)
            let sha = try await S3Test.sha256(path)
            // An upload an older atom began without checksums, one part sent, journalled without the `checksums` field.
            let key = stager.objectKey(sha256: sha)
            let upload = try await stager.client.createMultipartUpload(key: key, contentType: "video/mp4")
            let first = try file.readSync(offset: 0, count: 5 << 20)
            let eTag = try await stager.client.uploadPart(key: key, uploadID: upload, number: 1, body: HTTPBody(first), payloadHash: SigV4Signer.unsignedPayload)
            let old: JSONValue = .object([
                "key": .string(key), "size": .number(Double(file.size)), "partSize": .number(Double(5 << 20)), "uploadID": .string(upload),
                "parts": .array([.object(["number": .number(1), "eTag": .string(eTag), "size": .number(Double(5 << 20))])]),
            ])
            transport.reset()
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(JournalBox(), checkpoint: old))
            #expect(transport.partsSent == [2, 3])
            #expect(transport.sent.filter { $0.operationID == "s3.multipart.part" }.allSatisfy { $0.headers["x-amz-trailer"] == nil })
            #expect(try await fake.sha256(of: object.key) == sha)
        }
    }
}
