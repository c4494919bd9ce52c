import AtomSandbox
import AtomTestSupport
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PlatformKit
import PublishingCore
@testable import S3Staging
import Testing

/// S3Stager against the sandbox's strict S3 fake (which verifies every signature with the signer).
@Suite("S3 stager against the sandbox S3 fake")
struct S3StagerSandboxTests {
    /// Runs `body` with a fake S3 on a loopback server, a real AsyncHTTPClient transport wrapped in a
    /// ScriptedTransport, and a stager configured from the fake's sandbox environment.
    static func withSandbox(
        configure: @escaping @Sendable (inout S3Configuration) -> Void = { _ in },
        credentials: AWSCredentials = S3Test.sandboxCredentials,
        fakeNow: @escaping @Sendable () -> Date = { Date() },
        stagerNow: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: @Sendable (FakeS3, ScriptedTransport, S3Stager, String) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with { dir in
            let fake = try FakeS3(directory: dir + "/s3", now: fakeNow)
            try await FakeServer.run(services: [fake]) { server in
                try await TestTransport.with { base in
                    let transport = ScriptedTransport(base)
                    let environment = fake.sandboxEnvironment(server: server)
                    var configuration = try #require(try S3Configuration.read { environment[$0] })
                    configure(&configuration)
                    let stager = S3Stager(configuration: configuration, credentials: credentials, transport: transport, logger: logger,
                                          now: stagerNow, clock: ImmediateClock(), jitter: FixedJitter(1))
                    try await body(fake, transport, stager, dir)
                }
            }
        }
    }

    static func file(_ dir: String, size: Int, seed: UInt64 = 7) throws -> (MediaFileHandle, String) {
        let path = dir + "/video-\(size)-\(seed).mp4"
        try TemporaryDirectory.writeRandomFile(at: path, size: size, seed: seed)
        return (try MediaFileHandle(path: path), path)
    }

    @Test("sandboxEnvironment gives a working configuration through fromCredentials")
    func sandboxEnvironment() async throws {
        let fake = try FakeS3()
        defer { fake.removeStorage() }
        try await FakeServer.run(services: [fake]) { server in
            let environment = fake.sandboxEnvironment(server: server)
            #expect(environment["ATOM_S3_BUCKET"] == "atom-sandbox")
            #expect(environment["AWS_ENDPOINT_URL_S3"] == server.baseURL(for: "/s3").absoluteString)
            try await TestTransport.with { transport in
                let stager = try #require(try S3Stager.fromCredentials(MemoryCredentialStore(environment), transport: transport, environment: [:]))
                let listing = try await stager.list()
                #expect(listing.isEmpty)
            }
        }
    }

    @Test("single PUT: staged byte-exact, presigned GET streams it back, a second stage only HEADs, release deletes")
    func singlePut() async throws {
        try await Self.withSandbox { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 3 * (1 << 20) + 17)
            let sha = try await S3Test.sha256(path)
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            #expect(object.location == "atom-sandbox")
            #expect(object.size == file.size)
            let stored = try #require(await fake.object(object.key))
            // Sent as UNSIGNED-PAYLOAD over loopback: as S3, the fake does not hash it on receive, only when asked.
            #expect(stored.sha256 == nil)
            #expect(try await fake.sha256(of: object.key) == sha)
            #expect(stored.contentType == "video/mp4")
            #expect(!stored.isMultipart)
            let url = try await stager.url(for: object, validFor: .seconds(600))
            let fetched = try await S3Test.fetch(url, transport: transport)
            #expect(fetched.status == 200)
            #expect(fetched.sha256 == sha)
            #expect(fetched.count == file.size)
            #expect(await fake.requests().last?.presigned == true)

            transport.reset()
            _ = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            #expect(transport.sent.map(\.operationID) == ["s3.head"])

            try await stager.release(object)
            #expect(await fake.object(object.key) == nil)
            try await stager.release(object)  // already gone: still fine
        }
    }

    @Test("multipart: parts of 5 MiB, a few in flight, byte-exact, SSE and content type kept, checkpoint cleared of nothing")
    func multipart() async throws {
        try await Self.withSandbox(configure: {
            $0.multipartThreshold = 5 << 20
            $0.partSize = 5 << 20
            $0.serverSideEncryption = .aes256
        }) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 21 * (1 << 20) + 5)
            let sha = try await S3Test.sha256(path)
            let journal = JournalBox()
            let object = try await stager.stage(file, sha256: sha, contentType: "video/quicktime", context: S3Test.context(journal))
            let stored = try #require(await fake.object(object.key))
            #expect(try await fake.sha256(of: object.key) == sha)
            #expect(stored.size == file.size)
            #expect(stored.isMultipart)
            #expect(stored.eTag.hasSuffix("-5\""))
            #expect(stored.serverSideEncryption == "AES256")
            #expect(stored.contentType == "video/quicktime")
            #expect(Set(transport.partsSent) == Set(1...5))
            #expect(journal.decoded?.uploadID != nil)
            #expect(await fake.uploads().isEmpty)
            let fetched = try await S3Test.fetch(try await stager.url(for: object, validFor: .seconds(60)), transport: transport)
            #expect(fetched.sha256 == sha)
        }
    }

    @Test("a failed part is retried on its own")
    func partRetry() async throws {
        try await Self.withSandbox(configure: { $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20 }) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 12 << 20)
            await fake.inject(.failPart(2, times: 2))
            await fake.inject(.dropPart(3))
            let sha = try await S3Test.sha256(path)
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context())
            #expect(try await fake.sha256(of: object.key) == sha)
            #expect(transport.partsSent.filter { $0 == 2 }.count == 3)
            #expect(transport.partsSent.filter { $0 == 1 }.count == 1)
            #expect(transport.sent.filter { $0.operationID == "s3.multipart.create" }.count == 1)
        }
    }

    @Test("resume: after a transient failure the journalled upload continues with ListParts, sending only missing parts")
    func resume() async throws {
        try await Self.withSandbox(configure: {
            $0.multipartThreshold = 5 << 20
            $0.partSize = 5 << 20
            $0.concurrency = 1
            $0.retryPolicy = .none
        }) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 18 << 20)
            let sha = try await S3Test.sha256(path)
            await fake.inject(.failPart(3))
            let journal = JournalBox()
            let error = await #expect(throws: PublishError.self) {
                try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal))
            }
            #expect(error?.isRetryable == true)
            let saved = try #require(journal.decoded)
            #expect(saved.parts.map(\.number) == [1, 2])
            #expect(await fake.uploads().count == 1)  // kept for the rerun

            transport.reset()
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal, checkpoint: journal.checkpoint))
            #expect(transport.partsSent == [3, 4])
            #expect(!transport.sent.contains { $0.operationID == "s3.multipart.create" })
            #expect(transport.sent.contains { $0.operationID == "s3.multipart.list-parts" })
            #expect(try await fake.sha256(of: object.key) == sha)
            #expect(await fake.uploads().isEmpty)
        }
    }

    @Test("resume: a journalled upload that no longer exists starts over")
    func resumeGone() async throws {
        try await Self.withSandbox(configure: { $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20 }) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 11 << 20)
            let sha = try await S3Test.sha256(path)
            let stale = S3StagingCheckpoint(key: stager.objectKey(sha256: sha), size: file.size, partSize: 5 << 20, uploadID: "gone", parts: [])
            let object = try await stager.stage(file, sha256: sha, contentType: "video/mp4",
                                                context: S3Test.context(checkpoint: try JSONValue.encoding(stale)))
            #expect(transport.sent.contains { $0.operationID == "s3.multipart.create" })
            #expect(try await fake.sha256(of: object.key) == sha)
        }
    }

    @Test("cancellation (Ctrl-C) aborts the multipart upload and clears it from the journal")
    func cancellation() async throws {
        try await Self.withSandbox(configure: { $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20; $0.concurrency = 1 }) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 16 << 20)
            let sha = try await S3Test.sha256(path)
            let journal = JournalBox()
            let handle = LockedBox<Task<StagedObject, any Error>?>(nil)
            transport.setHook { sent in
                if sent.partNumber == 2 {
                    handle.value?.cancel()
                    throw CancellationError()
                }
            }
            let task = Task { try await stager.stage(file, sha256: sha, contentType: "video/mp4", context: S3Test.context(journal)) }
            handle.withLock { $0 = task }
            let result = await task.result
            #expect(throws: PublishError.self) { try result.get() }
            if case .failure(let error as PublishError) = result { #expect(error.code == .cancelled) }
            #expect(await fake.uploads().isEmpty)
            #expect(transport.sent.contains { $0.operationID == "s3.multipart.abort" })
            #expect(journal.decoded?.uploadID == nil)
        }
    }

    @Test("a permanent failure (AccessDenied on a part) aborts the upload")
    func permanentFailureAborts() async throws {
        try await Self.withSandbox(configure: { $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20 }) { fake, _, stager, dir in
            let (file, path) = try Self.file(dir, size: 11 << 20)
            await fake.inject(.failPart(2, status: 403, code: "AccessDenied"))
            let error = await #expect(throws: PublishError.self) {
                try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            }
            #expect(error?.code == .permissionDenied)
            #expect(error?.remediation?.contains("s3:PutObject") == true)
            #expect(await fake.uploads().isEmpty)
        }
    }

    @Test("CompleteMultipartUpload answering 200 with an <Error> body is detected and retried")
    func completeErrorIn200() async throws {
        try await Self.withSandbox(configure: { $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20 }) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 6 << 20)
            await fake.inject(.completeErrorIn200())
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            #expect(transport.sent.filter { $0.operationID == "s3.multipart.complete" }.count == 2)
            #expect(await fake.object(object.key) != nil)
        }
    }

    @Test("a wrong secret key is refused with a clear message free of secrets and signatures")
    func wrongSecret() async throws {
        let lines = LockedBox<[String]>([])
        let wrong = AWSCredentials(accessKeyID: FakeS3.sandboxAccessKeyID, secretAccessKey: "sandbox-wrong-secret-access-key",
                                   sessionToken: "sandbox-wrong-session-token")
        try await Self.withSandbox(credentials: wrong, logger: Logger(label: "test", factory: { _ in CapturingLogHandler(lines: lines) })) { fake, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 1 << 20)
            let error = await #expect(throws: PublishError.self) {
                try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            }
            let failure = try #require(error)
            #expect(failure.code == .authentication)
            #expect(failure.platformCode == "SignatureDoesNotMatch" || failure.platformCode == "InvalidToken")
            #expect(failure.remediation?.contains("AWS_SECRET_ACCESS_KEY") == true || failure.remediation?.contains("AWS_SESSION_TOKEN") == true)
            for text in [failure.description, failure.message, failure.remediation ?? ""] + lines.value {
                #expect(!text.contains("sandbox-wrong-secret-access-key"))
                #expect(!text.contains("sandbox-wrong-session-token"))
                #expect(!text.contains("StringToSign"))
                #expect(!text.contains("Signature="))
            }
            #expect(await fake.objects().isEmpty)
        }
    }

    @Test("a wrong secret key without a session token: SignatureDoesNotMatch, remediation names the keys")
    func wrongSecretPlain() async throws {
        let wrong = AWSCredentials(accessKeyID: FakeS3.sandboxAccessKeyID, secretAccessKey: "sandbox-other-secret-access-key")
        try await Self.withSandbox(credentials: wrong) { _, _, stager, dir in
            let (file, path) = try Self.file(dir, size: 1 << 10)
            let error = await #expect(throws: PublishError.self) {
                try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            }
            #expect(error?.platformCode == "SignatureDoesNotMatch")
            #expect(error?.remediation?.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") == true)
            #expect(error?.description.contains("sandbox-other-secret-access-key") == false)
        }
    }

    @Test("an unknown access key is InvalidAccessKeyId; a missing bucket is NoSuchBucket naming ATOM_S3_BUCKET")
    func unknownKeyAndBucket() async throws {
        let unknown = AWSCredentials(accessKeyID: "UNKNOWNKEYIDEXAMPLE", secretAccessKey: "sandbox-unknown-secret")
        try await Self.withSandbox(credentials: unknown) { _, _, stager, _ in
            let error = await #expect(throws: PublishError.self) { try await stager.list() }
            #expect(error?.platformCode == "InvalidAccessKeyId")
            #expect(error?.code == .authentication)
        }
        try await Self.withSandbox(configure: { $0.bucket = "no-such-bucket" }) { _, _, stager, _ in
            let error = await #expect(throws: PublishError.self) { try await stager.list() }
            #expect(error?.platformCode == "NoSuchBucket")
            #expect(error?.remediation?.contains("ATOM_S3_BUCKET") == true)
        }
    }

    @Test("a clock 20 minutes off: RequestTimeTooSkewed says to fix the clock")
    func skew() async throws {
        try await Self.withSandbox(stagerNow: { Date().addingTimeInterval(-1200) }) { _, _, stager, _ in
            let error = await #expect(throws: PublishError.self) { try await stager.list() }
            #expect(error?.platformCode == "RequestTimeTooSkewed")
            #expect(error?.remediation?.contains("clock") == true)
        }
    }

    @Test("presigned URLs expire, and a tampered signature is refused")
    func presignedExpiry() async throws {
        let clock = LockedBox(Date())
        try await Self.withSandbox(fakeNow: { clock.value }, stagerNow: { clock.value }) { _, transport, stager, dir in
            let (file, path) = try Self.file(dir, size: 4096)
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            let url = try await stager.url(for: object, validFor: .seconds(60))
            let first = try await S3Test.fetch(url, transport: transport)
            #expect(first.status == 200)
            var tampered = url.absoluteString
            let last = tampered.removeLast()
            tampered += last == "0" ? "1" : "0"
            let refused = try await S3Test.fetch(try #require(URL(string: tampered)), transport: transport)
            #expect(refused.status == 403)
            #expect(refused.text.contains("SignatureDoesNotMatch"))
            clock.withLock { $0 = $0.addingTimeInterval(61) }
            let expired = try await S3Test.fetch(url, transport: transport)
            #expect(expired.status == 403)
            #expect(expired.text.contains("Request has expired"))
        }
    }

    @Test("a header-signed GET with Range gets exactly those bytes")
    func rangeGet() async throws {
        try await Self.withSandbox { _, _, stager, dir in
            let (file, path) = try Self.file(dir, size: 100_000)
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            let (response, body) = try await stager.client.send("test.range", method: .get, path: stager.client.addressing.path(forKey: object.key),
                                                                headers: [("range", "bytes=10-19")])
            #expect(response.status.code == 206)
            let received = try await HTTPBodies.collect(body)
            #expect(received == (try file.readSync(offset: 10, count: 10)))
        }
    }

    @Test("list shows staged objects and unfinished uploads under the prefix; clean removes them")
    func listAndClean() async throws {
        try await Self.withSandbox(configure: {
            $0.multipartThreshold = 5 << 20
            $0.partSize = 5 << 20
            $0.retryPolicy = .none
            $0.concurrency = 1
        }) { fake, _, stager, dir in
            let (small, smallPath) = try Self.file(dir, size: 1000, seed: 1)
            let staged = try await stager.stage(small, sha256: try await S3Test.sha256(smallPath), contentType: "video/mp4", context: S3Test.context())
            let (big, bigPath) = try Self.file(dir, size: 11 << 20, seed: 2)
            await fake.inject(.failPart(2))
            _ = try? await stager.stage(big, sha256: try await S3Test.sha256(bigPath), contentType: "video/mp4", context: S3Test.context())
            let listing = try await stager.list()
            #expect(listing.objects.map(\.key) == [staged.key])
            #expect(listing.objects.first?.size == 1000)
            #expect(listing.uploads.count == 1)
            #expect(listing.uploads.first?.key.hasPrefix("atom-staging/") == true)
            let keep = try await stager.clean(olderThan: Date().addingTimeInterval(-3600))
            #expect(keep.deletedObjects.isEmpty && keep.abortedUploads.isEmpty)
            let report = try await stager.clean()
            #expect(report.succeeded)
            #expect(report.deletedObjects == [staged.key])
            #expect(report.abortedUploads.count == 1)
            let after = try await stager.list()
            #expect(after.isEmpty)
            #expect(await fake.uploads().isEmpty)
        }
    }

    @Test("put(path:ttl:) stages a file and returns a working URL with its expiry; a TTL over 7 days is refused")
    func put() async throws {
        let now = Date()
        try await Self.withSandbox(stagerNow: { now }) { _, transport, stager, dir in
            let (_, path) = try Self.file(dir, size: 200_000)
            let result = try await stager.put(path: path, ttl: .seconds(120))
            let sha = try await S3Test.sha256(path)
            #expect(result.sha256 == sha)
            #expect(result.expiresAt == now.addingTimeInterval(120))
            let fetched = try await S3Test.fetch(result.url, transport: transport)
            #expect(fetched.sha256 == result.sha256)
            await #expect(throws: PublishError.self) { try await stager.put(path: path, ttl: .seconds(604_801)) }
            await #expect(throws: PublishError.self) { try await stager.put(path: dir + "/missing.mp4") }
        }
    }

    @Test("signed payloads: without TLS or loopback the body hash is signed and checked by the server")
    func signedPayload() async throws {
        try await Self.withSandbox(configure: { $0.payloadSigning = .signed; $0.multipartThreshold = 5 << 20; $0.partSize = 5 << 20 }) { fake, _, stager, dir in
            let (file, path) = try Self.file(dir, size: 6 << 20)
            let object = try await stager.stage(file, sha256: try await S3Test.sha256(path), contentType: "video/mp4", context: S3Test.context())
            #expect(await fake.object(object.key)?.size == file.size)
            let (small, smallPath) = try Self.file(dir, size: 1234, seed: 9)
            let smallSHA = try await S3Test.sha256(smallPath)
            let single = try await stager.stage(small, sha256: smallSHA, contentType: "video/mp4", context: S3Test.context())
            #expect(await fake.object(single.key)?.size == 1234)
            // A signed body is hashed as it arrives (that is how it is checked), so its digest is known at once.
            #expect(await fake.object(single.key)?.sha256 == smallSHA)
        }
    }
}
