import Foundation
import Logging
import PublishingCore

/// The shared staged copy: staged on first demand, deleted when the last platform lets go, swept after the run.
extension Orchestrator {
    /// Stages `file` once the first platform asks, and deletes it once the last has let go.
    func stageAndRelease(
        stager: any MediaStager, file: MediaFileHandle, sha256: String, contentType: String, coordinator: StagingCoordinator,
        progress: AsyncStream<PublishEvent>.Continuation?, failures: RecordFailures, what: String = "copy"
    ) async {
        let reporter = ProgressReporter(platform: .staging, continuation: progress)
        let records = self.records
        let now = self.now
        guard await coordinator.waitForDemand() else { return }
        let existing = try? await records.readAsync().staging.last { $0.sha256 == sha256 && !$0.released }
        let ctx = StagingContext(
            progress: reporter, checkpoint: existing?.checkpoint,
            journal: Journal { state in
                try await records.updateAsync { file in
                    Self.upsertStaging(&file, sha256: sha256, now: now()) { $0.checkpoint = state }
                }
            },
            clock: clock, jitter: jitter
        )
        reporter.report(.staging, sent: 0, total: file.size)
        var staged: StagedObject?
        do {
            let object = try await stager.stage(file, sha256: sha256, contentType: contentType, context: ctx)
            staged = object
            await failures.attempt("the staged copy \(object.key)") {
                try await records.updateAsync { file in
                    Self.upsertStaging(&file, sha256: sha256, now: now()) { entry in
                        entry.location = object.location
                        entry.key = object.key
                        entry.size = object.size
                        entry.checkpoint = nil
                    }
                }
            }
            reporter.report(.done, sent: object.size, total: object.size, message: what == "copy" ? "staged" : "\(what) staged")
            await coordinator.finish(.success(object))
        } catch {
            let failure = PublishError.wrapping(error, platform: .staging)
            reporter.report(.failed, message: failure.description)
            await coordinator.finish(.failure(failure))
        }
        let deletable = await coordinator.waitUntilReleased()
        guard let staged else { return }
        guard deletable else {
            reporter.report(PublishPhase("kept"), message: "staged \(what) kept until the platforms still processing have it; `atom status` deletes it")
            return
        }
        if await delete(staged, stager: stager, reporter: reporter, failures: failures, what: what) == false {
            reporter.report(.failed, message: "could not delete the staged \(what); `atom staging clean` removes it")
        }
    }

    /// The unreleased staging entry for `sha256` (made if missing), changed by `change`.
    private static func upsertStaging(_ file: inout RecordFile, sha256: String, now: Date, _ change: (inout StagingRecord) -> Void) {
        if let i = file.staging.lastIndex(where: { $0.sha256 == sha256 && !$0.released }) {
            change(&file.staging[i])
            file.staging[i].updatedAt = now
        } else {
            var entry = StagingRecord(sha256: sha256, location: "", key: nil, size: 0, createdAt: now, updatedAt: now, released: false, checkpoint: nil)
            change(&entry)
            file.staging.append(entry)
        }
    }

    /// Deletes a staged copy and marks it released in the record. Runs even when the caller was cancelled:
    /// an unstructured task awaited here does not inherit cancellation.
    func delete(
        _ object: StagedObject, stager: any MediaStager, reporter: ProgressReporter, failures: RecordFailures,
        what: String = "copy"
    ) async -> Bool {
        let deleted = await Task { (try? await stager.release(object)) != nil }.value
        guard deleted else { return false }
        let now = self.now
        let records = self.records
        await failures.attempt("the deletion of the staged copy \(object.key)") {
            try await records.updateAsync { file in
                for i in file.staging.indices where file.staging[i].key == object.key && !file.staging[i].released {
                    file.staging[i].released = true
                    file.staging[i].updatedAt = now()
                }
            }
        }
        reporter.report(PublishPhase("released"), message: "staged \(what) deleted")
        return true
    }

    /// Deletes staged copies of this video kept for platforms that were still processing, once no entry
    /// that used one is processing, uploading or interrupted any more.
    func sweepStaging(
        sha256: String, progress: AsyncStream<PublishEvent>.Continuation?, failures: RecordFailures
    ) async {
        // Reading only decides what to delete: a failed read deletes nothing and loses nothing.
        guard let stager, let file = try? await records.readAsync() else { return }
        let busy: Set<RecordStatus> = [.processing, .uploading, .interrupted]
        let coverKeys = Set(file.entries.filter { $0.sha256 == sha256 }.compactMap(\.coverStagingKey))
        let keys = file.staging.filter { ($0.sha256 == sha256 || $0.key.map(coverKeys.contains) == true) && !$0.released }.compactMap(\.key)
        let used = { (entry: PostRecord, key: String) in entry.stagingKey == key || entry.coverStagingKey == key }
        for key in keys where !file.entries.contains(where: { used($0, key) && busy.contains($0.status) }) {
            guard let record = file.staging.last(where: { $0.key == key }) else { continue }
            let object = StagedObject(location: record.location, key: key, size: record.size)
            _ = await delete(
                object, stager: stager, reporter: ProgressReporter(platform: .staging, continuation: progress),
                failures: failures)
        }
    }
}
