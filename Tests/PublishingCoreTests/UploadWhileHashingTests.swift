import AtomTestSupport
import Foundation
import PublishingCore
@testable import PublishingEngine
import Testing

/// On a first post, a platform that can stop before it commits starts uploading beside the hash; the claim then adopts
/// or abandons that upload at its commit point.
@Suite("Uploads while hashing")
struct UploadWhileHashingTests {
    /// What a speculating publisher saw: the job it started with, whether its commit point opened, and the record entry
    /// as it was right after.
    final class Trace: Sendable {
        let recordIDs = LockedBox<[String]>([])
        let committed = LockedBox(0)
        let abandoned = LockedBox(0)
        let checkpointAfterCommit = LockedBox<JSONValue?>(nil)
        let checkpoints = LockedBox<[JSONValue?]>([])
    }

    /// Saves a checkpoint, waits at its commit point (counting a stop at either), then reads its entry back from `records`.
    func publisher(_ trace: Trace, records: @escaping @Sendable () -> RecordStore?) -> ScriptedPublisher {
        ScriptedPublisher("spec", uploadsWhileHashing: true) { job, context in
            trace.recordIDs.withLock { $0.append(job.recordID) }
            trace.checkpoints.withLock { $0.append(job.checkpoint) }
            do {
                try await context.journal.save(["session": "s-1"])
                try await context.commitPoint()
            } catch {
                trace.abandoned.withLock { $0 += 1 }
                throw error
            }
            trace.committed.withLock { $0 += 1 }
            let entry = try records()?.read().entries.first { $0.platform.rawValue == "spec" && $0.status == .uploading }
            trace.checkpointAfterCommit.withLock { $0 = entry?.checkpoint }
            return PublishReceipt(status: .published, postID: "v-1", url: nil)
        }
    }

    func withOrchestrator(hashes: Bool = false, _ body: (Orchestrator, RecordStore) async throws -> Void) async throws {
        try await TemporaryDirectory.with { dir in
            let records = RecordStore(directory: dir + "/state")
            let orchestrator = Orchestrator(stager: nil, records: records, clock: ImmediateClock(), jitter: FixedJitter(0.5),
                                            hashes: hashes ? HashCache(directory: dir + "/state") : nil)
            try await body(orchestrator, records)
        }
    }

    func request(_ publishers: [any Publisher], force: Bool = false) -> PostRequest {
        PostRequest(videoPath: Fixtures.path("vertical.mp4"), targets: publishers.map { PostTarget(publisher: $0, draft: PostDraft(caption: "hi")) },
                    force: force)
    }

    static let sha: @Sendable () async throws -> String = { try await FileDigest.sha256(of: MediaFileHandle(path: Fixtures.path("vertical.mp4"))) }

    @Test("a first post starts before the claim, holds its journal, and writes it into the entry when adopted")
    func adopted() async throws {
        let trace = Trace()
        let store = LockedBox<RecordStore?>(nil)
        let other = ScriptedPublisher("other") { job, _ in
            #expect(!job.recordID.isEmpty && !job.sha256.isEmpty)
            return PublishReceipt(status: .published, postID: "o-1", url: nil)
        }
        try await withOrchestrator { orchestrator, records in
            store.withLock { $0 = records }
            let report = try await orchestrator.post(request([publisher(trace, records: { store.value }), other]))
            #expect(report.results.map(\.status) == [.published, .published])
            // Started before any entry existed: the job had no record id (and no digest).
            #expect(trace.recordIDs.value == [""])
            #expect(trace.committed.value == 1)
            #expect(trace.checkpointAfterCommit.value == .object(["session": .string("s-1")]))
            let entries = try records.read().entries
            #expect(entries.count == 2)
            let entry = try #require(entries.first { $0.platform.rawValue == "spec" })
            #expect(entry.id == report.results[0].id)
            #expect(entry.status == .published && entry.postId == "v-1" && entry.sha256 == report.sha256)
        }
    }

    @Test("a duplicate found once the hash is known stops the upload at its commit point, and writes nothing")
    func duplicateAbandoned() async throws {
        let trace = Trace()
        try await withOrchestrator { orchestrator, records in
            let sha = try await Self.sha()
            try records.update { file in
                file.entries.append(PostRecord(
                    id: "earlier", platform: PlatformID("spec"), status: .published, postId: "v-0", video: "x", sha256: sha, sizeBytes: 1,
                    createdAt: Date(), updatedAt: Date()))
            }
            let report = try await orchestrator.post(request([publisher(trace, records: { nil })]))
            #expect(report.results.first?.status == .skipped)
            #expect(report.results.first?.id == "earlier")
            #expect(trace.committed.value == 0)
            #expect(trace.abandoned.value == 1)
            let entries = try records.read().entries
            #expect(entries.count == 1)
            #expect(entries[0].checkpoint == nil && entries[0].postId == "v-0")
        }
    }

    @Test("an earlier interrupted attempt is resumed from its checkpoint, not replaced by the upload started before the hash")
    func resumeWins() async throws {
        let trace = Trace()
        try await withOrchestrator { orchestrator, records in
            let sha = try await Self.sha()
            try records.update { file in
                file.entries.append(PostRecord(
                    id: "paused", platform: PlatformID("spec"), status: .interrupted, video: "x", sha256: sha, sizeBytes: 1,
                    createdAt: Date(), updatedAt: Date(), checkpoint: .object(["session": .string("s-0")])))
            }
            let report = try await orchestrator.post(request([publisher(trace, records: { nil })]))
            #expect(report.results.first?.status == .published)
            #expect(report.results.first?.id == "paused")
            // The speculative run was abandoned; the resumed run got the saved checkpoint and its own record id.
            #expect(trace.abandoned.value == 1)
            #expect(trace.recordIDs.value.sorted() == ["", "paused"])
            #expect(trace.checkpoints.value.contains(.object(["session": .string("s-0")])))
            #expect(try records.read().entries.count == 1)
        }
    }

    @Test("a preflight refusal elsewhere abandons the upload: nothing committed, no entry")
    func refusalElsewhere() async throws {
        let trace = Trace()
        let picky = ScriptedPublisher("picky", preflight: { _ in
            throw PublishError(.invalidInput, platform: PlatformID("picky"), platformCode: "privacy", message: "privacy PUBLIC is not allowed")
        }) { _, _ in PublishReceipt(status: .published, postID: "1", url: nil) }
        try await withOrchestrator { orchestrator, records in
            let post = request([publisher(trace, records: { nil }), picky])
            await #expect(throws: ValidationFailure.self) { try await orchestrator.post(post) }
            let entries = try records.read().entries
            #expect(trace.committed.value == 0)
            #expect(entries.isEmpty)
        }
    }

    @Test("with the digest cached (a re-post with --force) nothing starts before the claim")
    func cachedDigest() async throws {
        let trace = Trace()
        try await withOrchestrator(hashes: true) { orchestrator, records in
            _ = try await orchestrator.post(request([ScriptedPublisher("warm") { _, _ in PublishReceipt(status: .published, postID: "w", url: nil) }]))
            let report = try await orchestrator.post(request([publisher(trace, records: { records })], force: true))
            #expect(report.results.first?.status == .published)
            #expect(trace.recordIDs.value.count == 1)
            #expect(trace.recordIDs.value.allSatisfy { !$0.isEmpty })
            #expect(trace.checkpointAfterCommit.value == .object(["session": .string("s-1")]))
        }
    }

    @Test("a failed preflight is not speculated on: the normal path preflights again and reports it")
    func failedPreflight() async throws {
        let preflights = LockedBox(0)
        let publishes = LockedBox(0)
        let flaky = ScriptedPublisher("flaky", uploadsWhileHashing: true, preflight: { _ in
            preflights.withLock { $0 += 1 }
            throw PublishError(.authentication, platform: PlatformID("flaky"), message: "the refresh token was revoked", remediation: "run atom auth flaky")
        }) { _, _ in publishes.withLock { $0 += 1 }; return PublishReceipt(status: .published, postID: "1", url: nil) }
        try await withOrchestrator { orchestrator, _ in
            let report = try await orchestrator.post(request([flaky]))
            #expect(report.results.first?.status == .failed)
            #expect(report.results.first?.error?.message.contains("revoked") == true)
            #expect(preflights.value == 2)
            #expect(publishes.value == 0)
        }
    }

    @Test("an entry of the same size on that platform (likely this video) starts nothing before the claim; --force does")
    func sameSizeWaits() async throws {
        let trace = Trace()
        try await withOrchestrator { orchestrator, records in
            let size = try MediaFileHandle(path: Fixtures.path("vertical.mp4")).size
            try records.update { file in
                file.entries.append(PostRecord(
                    id: "other", platform: PlatformID("spec"), status: .published, postId: "v-0", video: "y", sha256: String(repeating: "0", count: 64),
                    sizeBytes: size, createdAt: Date(), updatedAt: Date()))
            }
            let report = try await orchestrator.post(request([publisher(trace, records: { records })]))
            #expect(report.results.first?.status == .published)
            #expect(trace.recordIDs.value.count == 1 && trace.recordIDs.value.allSatisfy { !$0.isEmpty })
            _ = try await orchestrator.post(request([publisher(trace, records: { records })], force: true))
            #expect(trace.recordIDs.value.last == "")
        }
    }

    @Test("Ctrl-C while the file is still being hashed: every platform interrupted, the upload stopped, nothing recorded")
    func interruptedWhileHashing() async throws {
        try await TemporaryDirectory.with { dir in
            let video = dir + "/big.mp4"
            try SparseVideo.make(from: Fixtures.path("vertical.mp4"), to: video, size: 1 << 30)
            let records = RecordStore(directory: dir + "/state")
            let orchestrator = Orchestrator(stager: nil, records: records, clock: ImmediateClock(), jitter: FixedJitter(0.5))
            let started = AsyncStream<Void>.makeStream()
            let stopped = LockedBox(false)
            let uploader = ScriptedPublisher("spec", uploadsWhileHashing: true) { _, context in
                started.continuation.yield()
                do { try await context.commitPoint() } catch { stopped.withLock { $0 = true }; throw error }
                return PublishReceipt(status: .published, postID: "v", url: nil)
            }
            let waiting = ScriptedPublisher("other") { _, _ in PublishReceipt(status: .published, postID: "o", url: nil) }
            let request = PostRequest(videoPath: video, targets: [uploader, waiting].map { PostTarget(publisher: $0, draft: PostDraft(caption: "hi")) })
            let post = Task { try await orchestrator.post(request) }
            for await _ in started.stream { break }
            post.cancel()
            let report = try await post.value
            #expect(report.interrupted)
            #expect(report.results.map(\.status) == [.interrupted, .interrupted])
            #expect(report.results.allSatisfy { $0.id == nil && $0.note?.contains("hashed") == true })
            #expect(stopped.value)
            #expect(try records.read().entries.isEmpty)
        }
    }

    @Test("a held checkpoint that cannot be written stops the upload at its commit point with that error")
    func adoptionWriteFails() async throws {
        let speculation = Speculation()
        try await speculation.save(.object(["session": .string("s-1")]))
        struct DiskFull: Error {}
        await speculation.adopt { _ in throw DiskFull() }
        await #expect(throws: DiskFull.self) { try await speculation.commit() }
        await #expect(throws: DiskFull.self) { try await speculation.save(.object(["session": .string("s-2")])) }
        #expect(await speculation.abandon())
    }
}
