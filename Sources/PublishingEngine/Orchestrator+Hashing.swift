import Foundation
import PublishingCore

/// Uploads started while the file is still being hashed.
///
/// On a first post (the digest is not in the hash cache) a platform that can stop before it commits
/// (``PublisherCapabilities/uploadsWhileHashing``) is preflighted and starts uploading at once, beside the hash. Until
/// the record is claimed it runs on a ``Speculation``: its journal saves are held (latest only), and its
/// ``PublishContext/commitPoint`` waits. Once the hash is known the claim decides as for any post: a fresh entry adopts
/// the upload (the held state is written into it, the commit point opens); a duplicate, an earlier attempt to resume, a
/// refused preflight elsewhere or Ctrl-C abandons it (the commit point throws, the task is cancelled), and nothing of it
/// reaches the platform's public side. A crash before the claim leaves no entry: the next run starts afresh.
extension Orchestrator {
    /// The SHA-256 of `file` if the hash cache knows it (nothing is read).
    func cachedDigest(of file: MediaFileHandle) -> String? {
        guard let hashes, let identity = try? file.identity() else { return nil }
        return hashes.lookup(identity)
    }

    /// Hashes `file` (through the cache when there is one), reporting progress as the `video` line.
    func digest(of file: MediaFileHandle, progress: AsyncStream<PublishEvent>.Continuation?) async throws -> String {
        let hashing = ProgressReporter(platform: PlatformID("video"), continuation: progress)
        let report: @Sendable (Int64) -> Void = { done in
            if done == file.size || done % (64 << 20) == 0 { hashing.report(PublishPhase("hashing"), sent: done, total: file.size) }
        }
        let sha = if let hashes { try await hashes.sha256(of: file, progress: report).sha256 }
            else { try await FileDigest.sha256(of: file, progress: report) }
        hashing.report(.done, message: "sha256 \(sha.prefix(12))…")
        return sha
    }

    /// Starts the speculative uploads of `request`'s targets that can take one, each after its preflight passed (one
    /// that fails is left to the normal path, which preflights it again and reports it).
    ///
    /// Not where the record holds an entry of the same size on that platform (unless `--force`): that is most likely
    /// this video, published or to be resumed, and an upload that the claim would only abandon still costs the
    /// platform's session (and perhaps its quota). The commit point stays the guarantee; this keeps it the rare path.
    func startUploads(
        _ request: PostRequest, file: MediaFileHandle, inspection: Inspection, progress: AsyncStream<PublishEvent>.Continuation?
    ) async throws -> [Int: SpeculativeUpload] {
        let known = request.force ? [] : try await records.readAsync().entries.filter { $0.sizeBytes == file.size }.map(\.platform)
        for target in request.targets {
            ProgressReporter(platform: target.publisher.platform, continuation: progress).report(.queued, message: "waiting for the file's hash")
        }
        return await withTaskGroup(of: (Int, SpeculativeUpload?).self) { group in
            for (index, target) in request.targets.enumerated() {
                let publisher = target.publisher
                guard publisher.capabilities.uploadsWhileHashing, publisher.capabilities.ingestion == .push,
                      !known.contains(publisher.platform) else { continue }
                let speculation = Speculation()
                let cover = inspection.covers[publisher.platform]?.usable
                let job = PublishJob(recordID: "", draft: target.draft, media: inspection.media, file: file, sha256: "", cover: cover)
                let context = PublishContext(
                    progress: ProgressReporter(platform: publisher.platform, continuation: progress),
                    journal: Journal { state in try await speculation.save(state) },
                    commitPoint: { try await speculation.commit() },
                    clock: clock, jitter: jitter, now: now, waitLimit: request.waitLimit, logger: logger)
                group.addTask {
                    context.progress.report(.preflight)
                    do { try await publisher.preflight(job, context: context) } catch { return (index, nil) }
                    let task = Task { () -> Result<PublishReceipt, any Error> in
                        do { return .success(try await publisher.publish(job, context: context)) } catch { return .failure(error) }
                    }
                    return (index, SpeculativeUpload(speculation: speculation, task: task))
                }
            }
            var started: [Int: SpeculativeUpload] = [:]
            for await (index, upload) in group { started[index] = upload }
            return started
        }
    }

    /// Whether `claim` may take over a speculative upload: only a fresh start (no earlier attempt's state to resume).
    static func adopts(_ claim: Claim) -> Bool {
        guard claim.coverOnly == nil, case .proceed(_, let checkpoint, _, _) = claim.outcome else { return false }
        return checkpoint == nil
    }

    /// What a journal save writes: `state` as the checkpoint of entry `recordID`.
    func checkpointWriter(recordID: String) -> @Sendable (JSONValue) async throws -> Void {
        let records = self.records
        let now = self.now
        return { state in
            try await records.updateAsync { file in
                guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
                file.entries[i].checkpoint = state
                file.entries[i].updatedAt = now()
            }
        }
    }
}

/// One upload started before the hash was known, and the task running the platform's `publish`.
struct SpeculativeUpload: Sendable {
    let speculation: Speculation
    let task: Task<Result<PublishReceipt, any Error>, Never>

    /// Takes the upload over for a claimed entry: writes what its journal held through `writer`, opens its commit point
    /// and waits for its outcome (cancelling it if the caller is cancelled).
    func adopt(writer: @escaping @Sendable (JSONValue) async throws -> Void) async -> Result<PublishReceipt, any Error> {
        await speculation.adopt(writer)
        return await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    /// Stops the upload before it commits, and waits until it has stopped. Does nothing to an adopted one but wait.
    func abandon() async {
        if await speculation.abandon() { task.cancel() }
        _ = await task.value
    }
}

/// The gate between a speculative upload and the record.
actor Speculation {
    private var writer: (@Sendable (JSONValue) async throws -> Void)?
    private var held: JSONValue?
    private var stopped: (any Error)?
    private var waiters: [CheckedContinuation<Void, any Error>] = []

    /// A journal save: written through once adopted, held (the latest only) before.
    func save(_ state: JSONValue) async throws {
        if let stopped { throw stopped }
        if let writer { try await writer(state) } else { held = state }
    }

    /// The commit point: returns once adopted, throws once abandoned (or when writing the held state failed).
    func commit() async throws {
        if let stopped { throw stopped }
        if writer != nil { return }
        try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// Writes the held state through `writer` (anything held meanwhile too), then lets saves and the commit point
    /// through. A failed write stops the upload at its next save or commit point with that error.
    func adopt(_ writer: @escaping @Sendable (JSONValue) async throws -> Void) async {
        guard self.writer == nil, stopped == nil else { return }
        do {
            while let state = held {
                held = nil
                try await writer(state)
            }
            if let stopped { return open(stopped) }
            self.writer = writer
            open(nil)
        } catch {
            stopped = error
            open(error)
        }
    }

    /// Closes the commit point for good. Returns `false` when the upload was adopted (it goes on).
    func abandon() -> Bool {
        guard writer == nil else { return false }
        if stopped == nil { stopped = CancellationError() }
        held = nil
        open(stopped)
        return true
    }

    private func open(_ error: (any Error)?) {
        let waiting = waiters
        waiters = []
        for waiter in waiting {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }
}
