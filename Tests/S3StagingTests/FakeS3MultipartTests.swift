import AtomSandbox
import AtomTestSupport
import Crypto
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PlatformKit
import PublishingCore
@testable import S3Staging
import Testing

/// The sandbox S3 fake keeps a completed multipart object as its part files (completing reads no byte again);
/// every reader streams across them.
@Suite("Sandbox S3 fake: multipart objects kept as their parts")
struct FakeS3MultipartTests {
    /// The files in the fake's storage folder (full paths).
    static func storedFiles(_ dir: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/s3").map { dir + "/s3/" + $0 })
    }

    /// A header-signed `GET` of `key` with `Range: bytes=lower-upper`; the status and the bytes.
    static func rangeGet(_ stager: S3Stager, key: String, _ range: ClosedRange<Int64>) async throws -> (status: Int, bytes: [UInt8]) {
        let (response, body) = try await stager.client.send(
            "test.range", method: .get, path: stager.client.addressing.path(forKey: key),
            headers: [("range", "bytes=\(range.lowerBound)-\(range.upperBound)")])
        return (response.status.code, try await HTTPBodies.collect(body, upTo: 16 << 20))
    }

    @Test("staged in 4 parts: GET, HEAD and Range GETs across part boundaries stream the parts; sha256 is lazy; release deletes the parts")
    func stagedInParts() async throws {
        let partSize: Int64 = 5 << 20
        try await S3StagerSandboxTests.withSandbox(configure: {
            $0.multipartThreshold = partSize
            $0.partSize = partSize
        }) { fake, transport, stager, dir in
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 3 * Int(partSize) + 12_345)
            let sha = try await S3Test.sha256(path)
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())

            // Kept as its four part files, nothing else in storage, no digest computed on complete.
            let stored = try #require(await fake.object(object.key))
            #expect(stored.isMultipart)
            #expect(stored.files.map(\.size) == [partSize, partSize, partSize, 12_345])
            #expect(stored.size == file.size)
            #expect(stored.sha256 == nil)
            #expect(try Self.storedFiles(dir) == Set(stored.files.map(\.path)))

            // GET (presigned) and HEAD.
            let fetched = try await S3Test.fetch(try await stager.url(for: object, validFor: .seconds(60)), transport: transport)
            #expect(fetched.status == 200)
            #expect(fetched.count == file.size)
            #expect(fetched.sha256 == sha)
            #expect(try await stager.client.head(key: object.key)?.size == file.size)

            // Ranges across one boundary, across two, and the tail into the short last part.
            for range: ClosedRange<Int64> in [partSize - 100...partSize + 99, partSize - 10...2 * partSize + 9, 3 * partSize - 1...file.size - 1] {
                let (status, bytes) = try await Self.rangeGet(stager, key: object.key, range)
                #expect(status == 206)
                #expect(bytes == (try file.readSync(offset: range.lowerBound, count: range.count)))
            }

            // The digest is computed on demand, then kept.
            #expect(try await fake.sha256(of: object.key) == sha)
            #expect(await fake.object(object.key)?.sha256 == sha)

            try await stager.release(object)
            #expect(await fake.object(object.key) == nil)
            #expect(try Self.storedFiles(dir).isEmpty)
        }
    }

    @Test("complete discards unlisted parts; an overwrite and an abort delete part files")
    func unlistedPartsAndOverwrite() async throws {
        try await S3StagerSandboxTests.withSandbox { fake, _, stager, dir in
            let client = stager.client
            let key = "atom-staging/pieces.mp4"
            let first = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let unlisted = [UInt8](repeating: 2, count: 1000)
            let last = [UInt8](repeating: 3, count: 777)
            let uploadID = try await client.createMultipartUpload(key: key, contentType: "video/mp4")
            var parts: [S3Part] = []
            for (number, bytes) in [(1, first), (2, unlisted), (3, last)] {
                let eTag = try await client.uploadPart(key: key, uploadID: uploadID, number: number, body: HTTPBody(bytes),
                                                       payloadHash: SigV4Signer.unsignedPayload)
                parts.append(S3Part(number: number, eTag: eTag, size: Int64(bytes.count)))
            }
            try await client.completeMultipartUpload(key: key, uploadID: uploadID, parts: [parts[0], parts[2]])
            let stored = try #require(await fake.object(key))
            #expect(stored.files.map(\.size) == [5 << 20, 777])
            #expect(try Self.storedFiles(dir) == Set(stored.files.map(\.path)))  // part 2's file is gone
            let (status, bytes) = try await Self.rangeGet(stager, key: key, Int64(first.count) - 3...Int64(first.count) + 776)
            #expect(status == 206)
            #expect(bytes == Array(first.suffix(3)) + last)

            // A single PUT over it replaces both part files with one.
            try await client.putObject(key: key, body: HTTPBody(unlisted), payloadHash: SigV4Signer.unsignedPayload, contentType: "video/mp4")
            let replaced = try #require(await fake.object(key))
            #expect(!replaced.isMultipart)
            // Unsigned: not hashed on receive (as in S3), hashed when asked.
            #expect(replaced.sha256 == nil)
            #expect(try await fake.sha256(of: key) == FileDigest.hex(SHA256.hash(data: unlisted)))
            #expect(try Self.storedFiles(dir) == Set(replaced.files.map(\.path)))

            // An aborted upload leaves no part file behind.
            let aborted = try await client.createMultipartUpload(key: key, contentType: "video/mp4")
            _ = try await client.uploadPart(key: key, uploadID: aborted, number: 1, body: HTTPBody(last), payloadHash: SigV4Signer.unsignedPayload)
            #expect(try Self.storedFiles(dir).count == 2)
            try await client.abortMultipartUpload(key: key, uploadID: aborted)
            #expect(try Self.storedFiles(dir) == Set(replaced.files.map(\.path)))

            try await client.deleteObject(key: key)
            #expect(try Self.storedFiles(dir).isEmpty)
        }
    }

    @Test("SSE-KMS: ETags are 32 hex digits but not the MD5 (as S3's), a part's and a PUT's; staging completes and the bytes are exact")
    func kmsETagsAreNotMD5s() async throws {
        let partSize: Int64 = 5 << 20
        try await S3StagerSandboxTests.withSandbox(configure: {
            $0.multipartThreshold = partSize
            $0.partSize = partSize
            $0.serverSideEncryption = .kms
        }) { fake, _, stager, dir in
            let client = stager.client
            let bytes = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let md5 = "\"" + FileDigest.hex(Insecure.MD5.hash(data: bytes)) + "\""
            let uploadID = try await client.createMultipartUpload(key: "kms/part.mp4", contentType: "video/mp4")
            let eTag = try await client.uploadPart(key: "kms/part.mp4", uploadID: uploadID, number: 1, body: HTTPBody(bytes),
                                                   payloadHash: SigV4Signer.unsignedPayload)
            #expect(eTag.count == 34 && eTag != md5)
            try await client.abortMultipartUpload(key: "kms/part.mp4", uploadID: uploadID)

            try await client.putObject(key: "kms/put.mp4", body: HTTPBody(bytes), payloadHash: SigV4Signer.unsignedPayload, contentType: "video/mp4")
            let put = try #require(await fake.object("kms/put.mp4"))
            #expect(put.serverSideEncryption == "aws:kms")
            #expect(put.eTag.count == 34 && put.eTag != md5)

            // The stager takes the ETags as opaque: a KMS multipart staging completes, byte-exact.
            let (file, path) = try S3StagerSandboxTests.file(dir, size: 2 * Int(partSize) + 99)
            let sha = try await S3Test.sha256(path)
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            let stored = try #require(await fake.object(object.key))
            #expect(stored.isMultipart && stored.eTag.hasSuffix("-3\""))
            #expect(try await fake.sha256(of: object.key) == sha)
        }
        // Without SSE-KMS the same PUT's ETag is its MD5.
        try await S3StagerSandboxTests.withSandbox { fake, _, stager, _ in
            let bytes = [UInt8](repeating: 9, count: 1000)
            try await stager.client.putObject(key: "plain.mp4", body: HTTPBody(bytes), payloadHash: SigV4Signer.unsignedPayload, contentType: "video/mp4")
            #expect(await fake.object("plain.mp4")?.eTag == "\"" + FileDigest.hex(Insecure.MD5.hash(data: bytes)) + "\"")
        }
    }
}
