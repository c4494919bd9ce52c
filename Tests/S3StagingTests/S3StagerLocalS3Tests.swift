import AtomTestSupport
import Foundation
import PublishingCore
@testable import S3Staging
import Testing

/// S3Stager against a real S3 server: moto, started by scripts/test.sh (ATOM_TEST_S3_ENDPOINT).
/// moto accepts any signature, so the wrong-secret case is covered against the sandbox fake.
@Suite(
    "S3 stager against a local S3 server (moto)", .serialized,
    .enabled(if: LocalS3.endpoint != nil, "no local S3 server: run scripts/test.sh, or start `moto_server -H 127.0.0.1 -p PORT` and export ATOM_TEST_S3_ENDPOINT")
)
struct S3StagerLocalS3Tests {
    static let size = 50 << 20

    static func withLocalS3(
        configure: (inout S3Configuration) -> Void = { _ in },
        _ body: @Sendable (ScriptedTransport, S3Stager, String) async throws -> Void
    ) async throws {
        let endpoint = try #require(LocalS3.endpoint)
        try await TemporaryDirectory.with { dir in
            try await TestTransport.with { base in
                let transport = ScriptedTransport(base)
                var configuration = S3Configuration(bucket: S3Test.bucketName(), endpoint: endpoint)
                configure(&configuration)
                let credentials = AWSCredentials(accessKeyID: "LOCALS3TESTKEYEXAMPLE", secretAccessKey: "local-s3-test-secret-key")
                let stager = S3Stager(configuration: configuration, credentials: credentials, transport: transport, clock: ImmediateClock(), jitter: FixedJitter(1))
                try await S3Test.createBucket(stager)
                transport.reset()
                try await body(transport, stager, dir)
            }
        }
    }

    static func video(_ dir: String, size: Int = size, seed: UInt64 = 11) throws -> (MediaFileHandle, String) {
        let path = dir + "/video.mp4"
        try TemporaryDirectory.writeRandomFile(at: path, size: size, seed: seed)
        return (try MediaFileHandle(path: path), path)
    }

    @Test("single PUT of 50 MiB, GET back byte-exact through the presigned URL, release deletes")
    func singlePut() async throws {
        try await Self.withLocalS3(configure: { $0.multipartThreshold = 64 << 20 }) { transport, stager, dir in
            let (file, path) = try Self.video(dir)
            let sha = try await S3Test.sha256(path)
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            #expect(transport.sent.map(\.operationID) == ["s3.head", "s3.put"])
            let fetched = try await S3Test.fetch(try await stager.url(for: object, validFor: .seconds(300)), transport: transport)
            #expect(fetched.status == 200)
            #expect(fetched.count == file.size)
            #expect(fetched.sha256 == sha)
            try await stager.release(object)
            let head = try await stager.client.head(key: object.key)
            #expect(head == nil)
        }
    }

    @Test("multipart upload of 50 MiB (16 MiB parts, 4 in flight), byte-exact GET back, a re-stage reuses the object")
    func multipart() async throws {
        try await Self.withLocalS3 { transport, stager, dir in
            let (file, path) = try Self.video(dir, seed: 12)
            let sha = try await S3Test.sha256(path)
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            #expect(Set(transport.partsSent) == [1, 2, 3, 4])
            let fetched = try await S3Test.fetch(try await stager.url(for: object, validFor: .seconds(300)), transport: transport)
            #expect(fetched.sha256 == sha)
            #expect(fetched.count == file.size)
            transport.reset()
            let again = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            #expect(again == object)
            #expect(transport.sent.map(\.operationID) == ["s3.head"])
            try await stager.release(object)
            let listing = try await stager.list()
            #expect(listing.isEmpty)
        }
    }

    @Test("resume after an injected failure of part 3: ListParts, then only the missing parts are sent")
    func resume() async throws {
        try await Self.withLocalS3(configure: { $0.partSize = 5 << 20; $0.multipartThreshold = 5 << 20; $0.concurrency = 1; $0.retryPolicy = .none }) { transport, stager, dir in
            let (file, path) = try Self.video(dir, size: 18 << 20, seed: 13)
            let sha = try await S3Test.sha256(path)
            let failed = LockedBox(false)
            transport.setHook { sent in
                if sent.partNumber == 3, !failed.withLock({ let was = $0; $0 = true; return was }) {
                    throw TransportError(message: "injected connection reset", operationID: sent.operationID)
                }
            }
            let journal = JournalBox()
            let error = await #expect(throws: PublishError.self) {
                try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal))
            }
            #expect(error?.code == .network)
            #expect(journal.decoded?.parts.map(\.number) == [1, 2])
            let pending = try await stager.list()
            #expect(pending.uploads.count == 1)

            transport.reset()
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal, checkpoint: journal.checkpoint))
            #expect(transport.partsSent == [3, 4])
            #expect(!transport.sent.contains { $0.operationID == "s3.multipart.create" })
            let fetched = try await S3Test.fetch(try await stager.url(for: object, validFor: .seconds(60)), transport: transport)
            #expect(fetched.sha256 == sha)
            try await stager.release(object)
        }
    }

    @Test("cancelling mid-upload aborts the multipart upload on the server")
    func abortOnCancel() async throws {
        try await Self.withLocalS3(configure: { $0.partSize = 5 << 20; $0.multipartThreshold = 5 << 20; $0.concurrency = 2 }) { transport, stager, dir in
            let (file, path) = try Self.video(dir, size: 26 << 20, seed: 14)
            let sha = try await S3Test.sha256(path)
            let handle = LockedBox<Task<StagedObject, any Error>?>(nil)
            transport.setHook { sent in
                if sent.partNumber == 4 {
                    handle.value?.cancel()
                    throw CancellationError()
                }
            }
            let task = Task { try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context()) }
            handle.withLock { $0 = task }
            let result = await task.result
            if case .failure(let error as PublishError) = result { #expect(error.code == .cancelled) } else { Issue.record("expected a cancellation, got \(result)") }
            transport.setHook(nil)
            #expect(transport.sent.contains { $0.operationID == "s3.multipart.abort" })
            let listing = try await stager.list()
            #expect(listing.uploads.isEmpty)
            #expect(listing.objects.isEmpty)
        }
    }

    @Test("leftovers (an object and an unfinished upload) are listed and cleaned")
    func listAndClean() async throws {
        try await Self.withLocalS3(configure: { $0.partSize = 5 << 20; $0.multipartThreshold = 5 << 20; $0.retryPolicy = .none; $0.concurrency = 1 }) { transport, stager, dir in
            let small = dir + "/small.mp4"
            try TemporaryDirectory.writeRandomFile(at: small, size: 4096, seed: 3)
            let put = try await stager.put(path: small, ttl: .seconds(60))
            let (file, path) = try Self.video(dir, size: 11 << 20, seed: 15)
            transport.setHook { sent in
                if sent.partNumber == 2 { throw TransportError(message: "injected", operationID: sent.operationID) }
            }
            _ = try? await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            transport.setHook(nil)
            let listing = try await stager.list()
            #expect(listing.objects.map(\.key) == [put.object.key])
            #expect(listing.uploads.count == 1)
            let report = try await stager.clean(listing)
            #expect(report.succeeded)
            #expect(report.deletedObjects.count == 1 && report.abortedUploads.count == 1)
            let after = try await stager.list()
            #expect(after.isEmpty)
        }
    }
}
