import AtomTestSupport
import Foundation
import PublishingCore
@testable import PublishingEngine
import Testing

/// A publisher whose behaviour is a closure.
struct ScriptedPublisher: Publisher {
    let platform: PlatformID
    let capabilities: PublisherCapabilities
    let onPreflight: @Sendable (PublishJob) async throws -> Void
    let onPublish: @Sendable (PublishJob, PublishContext) async throws -> PublishReceipt

    init(_ name: String, ingestion: Ingestion = .push, limits: MediaLimits = MediaLimits(), uploadsWhileHashing: Bool = false,
         preflight: @escaping @Sendable (PublishJob) async throws -> Void = { _ in },
         publish: @escaping @Sendable (PublishJob, PublishContext) async throws -> PublishReceipt) {
        platform = PlatformID(name)
        capabilities = PublisherCapabilities(displayName: name.capitalized, mediaLimits: limits,
                                             textLimits: [.caption: TextLimit(maxLength: 30)], ingestion: ingestion,
                                             uploadsWhileHashing: uploadsWhileHashing)
        onPreflight = preflight
        onPublish = publish
    }

    func plan(_ draft: PostDraft, media: MediaInfo) -> PostPlan { PostPlan(texts: [.caption: draft.caption ?? ""]) }
    func preflight(_ job: PublishJob, context: PublishContext) async throws { try await onPreflight(job) }
    func publish(_ job: PublishJob, context: PublishContext) async throws -> PublishReceipt { try await onPublish(job, context) }
}

/// Resumes every waiter once `count` have arrived; fails loudly instead of hanging if they never do.
actor Barrier {
    private let count: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private(set) var arrived = 0
    init(count: Int) { self.count = count }
    func arrive() async {
        arrived += 1
        if arrived == count {
            waiting.forEach { $0.resume() }
            waiting = []
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
    }
}

/// A stager that counts what it is asked to do.
final class CountingStager: MediaStager {
    let stages = LockedBox(0)
    let releases = LockedBox<[String]>([])
    let urlsIssued = LockedBox(0)
    let releasedWhileInUse = LockedBox(false)
    func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws -> StagedObject {
        stages.withLock { $0 += 1 }
        for try await _ in file.chunks(in: 0..<file.size) {}
        return StagedObject(location: "bucket", key: "atom/\(sha256)", size: file.size)
    }
    func url(for object: StagedObject, validFor duration: Duration) async throws -> URL {
        urlsIssued.withLock { $0 += 1 }
        return URL(string: "https://staging.example/\(object.key)")!
    }
    func release(_ object: StagedObject) async throws { releases.withLock { $0.append(object.key) } }
}

@Suite("Orchestrator")
struct OrchestratorTests {
    func withOrchestrator(stager: (any MediaStager)? = nil, _ body: (Orchestrator, RecordStore) async throws -> Void) async throws {
        try await TemporaryDirectory.with { dir in
            let records = RecordStore(directory: dir + "/state")
            let orchestrator = Orchestrator(stager: stager, records: records, clock: ImmediateClock(), jitter: FixedJitter(0.5))
            try await body(orchestrator, records)
        }
    }

    func request(_ publishers: [any Publisher], caption: String = "hello", force: Bool = false) -> PostRequest {
        PostRequest(videoPath: Fixtures.path("vertical.mp4"), targets: publishers.map { PostTarget(publisher: $0, draft: PostDraft(caption: caption)) }, force: force)
    }

    @Test("posts to every platform concurrently and reports in the order asked")
    func concurrent() async throws {
        let barrier = Barrier(count: 3)
        let publishers = ["c", "a", "b"].map { name in
            ScriptedPublisher(name) { job, context in
                await barrier.arrive()  // only returns once all three are in flight at the same time
                context.progress.report(.uploading, sent: job.media.sizeBytes, total: job.media.sizeBytes)
                return PublishReceipt(status: .published, postID: "\(name)-1", url: "https://\(name).example/1")
            }
        }
        try await withOrchestrator { orchestrator, records in
            let report = try await orchestrator.post(request(publishers))
            #expect(report.results.map(\.platform.rawValue) == ["c", "a", "b"])
            #expect(report.results.allSatisfy { $0.status == .published })
            #expect(await barrier.arrived == 3)
            let file = try records.read()
            #expect(file.entries.count == 3)
            #expect(file.entries.allSatisfy { $0.status == .published && $0.owner == nil && $0.sha256 == report.sha256 })
        }
    }

    @Test("one platform's failure leaves the others published and is recorded with its error")
    func partialFailure() async throws {
        let ok = ScriptedPublisher("ok") { _, _ in PublishReceipt(status: .published, postID: "1", url: nil) }
        let bad = ScriptedPublisher("bad") { _, _ in
            throw PublishError(.quotaExceeded, platform: PlatformID("bad"), platformCode: "quotaExceeded", message: "quota spent",
                               remediation: "try tomorrow")
        }
        try await withOrchestrator { orchestrator, records in
            let report = try await orchestrator.post(request([bad, ok]))
            #expect(report.results.map(\.status) == [.failed, .published])
            #expect(report.results[0].error?.code == "quotaExceeded")
            #expect(report.results[0].error?.retryable == false)
            let entries = try records.read().entries
            #expect(entries.first { $0.platform.rawValue == "bad" }?.error?.message == "quota spent")
            #expect(entries.first { $0.platform.rawValue == "ok" }?.status == .published)
        }
    }

    @Test("a second post of the same file is skipped where published, unless forced")
    func skipAndForce() async throws {
        let calls = LockedBox(0)
        let publisher = ScriptedPublisher("p") { _, _ in
            let n = calls.withLock { $0 += 1; return $0 }
            return PublishReceipt(status: .published, postID: "post-\(n)", url: nil)
        }
        try await withOrchestrator { orchestrator, records in
            _ = try await orchestrator.post(request([publisher]))
            let again = try await orchestrator.post(request([publisher]))
            #expect(again.results.first?.status == .skipped)
            #expect(again.results.first?.postId == "post-1")
            #expect(calls.value == 1)
            let forced = try await orchestrator.post(request([publisher], force: true))
            #expect(forced.results.first?.status == .published)
            #expect(forced.results.first?.postId == "post-2")
            // Every attempt is its own entry: the first keeps its post id; the forced one remembers it.
            let entries = try records.read().entries
            #expect(entries.count == 2)
            #expect(entries.map(\.postId) == ["post-1", "post-2"])
            #expect(entries[0].previousPostIds == nil)
            #expect(entries[1].previousPostIds == ["post-1"])
            // Duplicates are judged from the newest published entry.
            let third = try await orchestrator.post(request([publisher]))
            #expect(third.results.first?.status == .skipped)
            #expect(third.results.first?.postId == "post-2")
            #expect(try records.read().entries.count == 2)
        }
    }

    @Test("a platform being posted by another live atom process is skipped")
    func inProgressElsewhere() async throws {
        let other = Process()
        other.executableURL = URL(fileURLWithPath: "/bin/sleep")
        other.arguments = ["30"]
        try other.run()
        defer { other.terminate() }
        let publisher = ScriptedPublisher("p") { _, _ in PublishReceipt(status: .published, postID: "1", url: nil) }
        try await withOrchestrator { orchestrator, records in
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("vertical.mp4")))
            try records.update { file in
                file.entries.append(PostRecord(
                    id: "busy", platform: PlatformID("p"), status: .uploading, video: "x", sha256: sha, sizeBytes: 1, createdAt: Date(),
                    updatedAt: Date(), owner: RecordOwner(pid: other.processIdentifier, host: ProcessInfo.processInfo.hostName, since: Date())))
            }
            let report = try await orchestrator.post(request([publisher]))
            #expect(report.results.first?.status == .skipped)
            #expect(report.results.first?.note?.contains("another atom process") == true)
        }
    }

    @Test("an entry owned by a dead process is resumed from its checkpoint")
    func resumesDeadOwner() async throws {
        let seen = LockedBox<JSONValue?>(nil)
        let publisher = ScriptedPublisher("p") { job, _ in
            seen.withLock { $0 = job.checkpoint }
            return PublishReceipt(status: .published, postID: "1", url: nil)
        }
        try await withOrchestrator { orchestrator, records in
            let sha = try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("vertical.mp4")))
            try records.update { file in
                file.entries.append(PostRecord(
                    id: "crashed", platform: PlatformID("p"), status: .uploading, video: "x", sha256: sha, sizeBytes: 1, createdAt: Date(),
                    updatedAt: Date(), checkpoint: .object(["offset": .number(42)]),
                    owner: RecordOwner(pid: 999_999, host: ProcessInfo.processInfo.hostName, since: Date())))
            }
            let report = try await orchestrator.post(request([publisher]))
            #expect(report.results.first?.status == .published)
            #expect(report.results.first?.id == "crashed")
            #expect(seen.value == .object(["offset": .number(42)]))
        }
    }

    @Test("stages once for every URL platform, concurrently with pushes, and releases after the last")
    func sharedStaging() async throws {
        let stager = CountingStager()
        let barrier = Barrier(count: 3)
        func urlPublisher(_ name: String) -> ScriptedPublisher {
            ScriptedPublisher(name, ingestion: .publicURL) { _, context in
                await barrier.arrive()
                let url = try await context.stagedURL()
                #expect(stager.releases.value.isEmpty)
                await context.releaseStaging()
                return PublishReceipt(status: .published, postID: url.lastPathComponent, url: nil)
            }
        }
        let push = ScriptedPublisher("push") { _, _ in
            await barrier.arrive()
            return PublishReceipt(status: .published, postID: "p", url: nil)
        }
        try await withOrchestrator(stager: stager) { orchestrator, records in
            let report = try await orchestrator.post(request([urlPublisher("u1"), push, urlPublisher("u2")]))
            #expect(report.results.allSatisfy { $0.status == .published })
            #expect(stager.stages.value == 1)
            #expect(stager.urlsIssued.value == 2)
            #expect(stager.releases.value == ["atom/\(report.sha256)"])
            let staging = try records.read().staging
            #expect(staging.count == 1 && staging[0].released)
            #expect(try records.read().entries.filter { $0.stagingKey != nil }.count == 2)
        }
    }

    @Test("Ctrl-C interrupts every platform, keeps checkpoints, deletes the staged copy")
    func cancellation() async throws {
        let stager = CountingStager()
        let started = Barrier(count: 4)  // three platforms and this test
        let hang: @Sendable (PublishJob, PublishContext) async throws -> PublishReceipt = { _, context in
            try await context.journal.save(["phase": "uploading", "offset": "1024"])
            await started.arrive()
            try await Task.sleep(for: .seconds(3600))  // cancelled long before
            return PublishReceipt(status: .published, postID: nil, url: nil)
        }
        let publishers: [any Publisher] = [
            ScriptedPublisher("a", publish: hang), ScriptedPublisher("b", ingestion: .publicURL) { job, context in
                _ = try await context.stagedURL()
                return try await hang(job, context)
            }, ScriptedPublisher("c", publish: hang),
        ]
        try await withOrchestrator(stager: stager) { orchestrator, records in
            let task = Task { try await orchestrator.post(request(publishers)) }
            await started.arrive()  // returns once all three uploads are in flight
            task.cancel()
            let report = try await task.value
            #expect(report.interrupted)
            #expect(report.results.map(\.status) == [.interrupted, .interrupted, .interrupted])
            #expect(stager.releases.value.count == 1)
            let entries = try records.read().entries
            #expect(entries.map(\.status) == [.interrupted, .interrupted, .interrupted])
            #expect(entries.map { $0.checkpoint?.objectValue?["offset"] } == Array(repeating: .string("1024"), count: 3))
        }
    }

    @Test("a preflight refusal of the post itself stops everything before any upload, leaving no trace")
    func preflightRefusal() async throws {
        let uploads = LockedBox(0)
        let ok = ScriptedPublisher("ok") { _, _ in uploads.withLock { $0 += 1 }; return PublishReceipt(status: .published, postID: "1", url: nil) }
        let picky = ScriptedPublisher("picky", preflight: { _ in
            throw PublishError(.invalidInput, platform: PlatformID("picky"), platformCode: "privacy", message: "privacy PUBLIC is not allowed for this creator")
        }) { _, _ in uploads.withLock { $0 += 1 }; return PublishReceipt(status: .published, postID: "1", url: nil) }
        try await withOrchestrator { orchestrator, records in
            let failure = await #expect(throws: ValidationFailure.self) { try await orchestrator.post(request([ok, picky])) }
            #expect(failure?.issues.first?.message.contains("privacy PUBLIC") == true)
            #expect(uploads.value == 0)
            let remaining = try records.read().entries
            #expect(remaining.isEmpty)
        }
    }

    @Test("a new entry keeps the id its preflight saw (an adapter may key what it learnt there by it)")
    func preflightAndPublishShareTheID() async throws {
        let preflightIDs = LockedBox<[String]>([])
        let publishIDs = LockedBox<[String]>([])
        let publisher = ScriptedPublisher("p", preflight: { job in preflightIDs.withLock { $0.append(job.recordID) } }) { job, _ in
            publishIDs.withLock { $0.append(job.recordID) }
            return PublishReceipt(status: .published, postID: "1", url: nil)
        }
        try await withOrchestrator { orchestrator, records in
            let report = try await orchestrator.post(request([publisher]))
            #expect(preflightIDs.value.count == 1)
            #expect(preflightIDs.value == publishIDs.value)
            #expect(report.results.first?.id == preflightIDs.value.first)
            #expect(try records.read().entries.map(\.id) == preflightIDs.value)
        }
    }

    @Test("a preflight failure that is not about the post (quota, auth) fails only that platform")
    func preflightPlatformFailure() async throws {
        let ok = ScriptedPublisher("ok") { _, _ in PublishReceipt(status: .published, postID: "1", url: nil) }
        let spent = ScriptedPublisher("spent", preflight: { _ in
            throw PublishError(.quotaExceeded, platform: PlatformID("spent"), message: "quota spent")
        }) { _, _ in Issue.record("must not publish"); return PublishReceipt(status: .published, postID: "1", url: nil) }
        try await withOrchestrator { orchestrator, _ in
            let report = try await orchestrator.post(request([ok, spent]))
            #expect(report.results.map(\.status) == [.published, .failed])
        }
    }

    @Test("limits are checked for every platform at once before anything happens")
    func validationFailure() async throws {
        let strict = ScriptedPublisher("strict", limits: MediaLimits(maxDuration: 2)) { _, _ in
            Issue.record("must not publish"); return PublishReceipt(status: .published, postID: "1", url: nil)
        }
        let other = ScriptedPublisher("other") { _, _ in
            Issue.record("must not publish"); return PublishReceipt(status: .published, postID: "1", url: nil)
        }
        try await withOrchestrator { orchestrator, records in
            let failure = await #expect(throws: ValidationFailure.self) {
                try await orchestrator.post(request([strict, other], caption: String(repeating: "x", count: 31)))
            }
            #expect(Set(failure?.issues.map { "\($0.platform!)/\($0.field)" } ?? []) == ["strict/duration", "strict/caption", "other/caption"])
            let remaining = try records.read().entries
            #expect(remaining.isEmpty)
        }
    }

    @Test("a post still processing is recorded and finished later by resume()")
    func processingThenResume() async throws {
        let publisher = ScriptedPublisher("slow") { job, _ in
            if let checkpoint = job.checkpoint, checkpoint.objectValue?["id"] == .string("v1") {
                return PublishReceipt(status: .published, postID: "v1", url: "https://slow.example/v1")
            }
            return PublishReceipt(status: .processing, postID: "v1", url: nil, checkpoint: .object(["id": .string("v1")]))
        }
        try await withOrchestrator { orchestrator, records in
            let report = try await orchestrator.post(request([publisher]))
            #expect(report.results.first?.status == .processing)
            let entry = try #require(try records.read().entries.first)
            #expect(entry.status == .processing)
            let resumed = try await orchestrator.resume([(entry, publisher)], file: nil, waitLimit: .seconds(10))
            #expect(resumed.results.first?.status == .published)
            #expect(try records.read().entries.first?.url == "https://slow.example/v1")
        }
    }

    @Test("a missing or non-video file is refused before any network step")
    func badInput() async throws {
        let publisher = ScriptedPublisher("p") { _, _ in Issue.record("must not publish"); return PublishReceipt(status: .published, postID: "1", url: nil) }
        try await withOrchestrator { orchestrator, _ in
            var bad = request([publisher])
            bad.videoPath = Fixtures.path("not-a-video.mp4")
            let error = await #expect(throws: PublishError.self) { try await orchestrator.post(bad) }
            #expect(error?.code == .unsupportedMedia)
            bad.videoPath = "/no/such/clip.mp4"
            let missing = await #expect(throws: PublishError.self) { try await orchestrator.post(bad) }
            #expect(missing?.code == .invalidInput)
        }
    }
}
