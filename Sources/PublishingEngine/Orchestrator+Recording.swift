import Foundation
import Logging
import PublishingCore

/// Writing outcomes to the record: a platform's result, an interrupted run, a refused preflight.
extension Orchestrator {
    func record(_ outcome: Result<PublishReceipt, PublishError>, claim: Claim, job: PublishJob, cancelled: Bool) async -> PlatformResult {
        let time = now()
        let recordID = job.recordID
        let platform = claim.publisher.platform
        guard case .proceed(_, _, let startedAt, _) = claim.outcome else { return PlatformResult(status: .failed, platform: platform, id: recordID) }
        var result = PlatformResult(status: .failed, platform: platform, id: recordID, startedAt: startedAt, finishedAt: time)
        var checkpoint: JSONValue?
        switch outcome {
        case .success(let receipt):
            result.status = receipt.status == .published ? .published : .processing
            // Platform-given: printed and stored, so one line, masked and capped like any outside text.
            result.postId = receipt.postID.map { Redaction.outsideText($0, limit: 256) }
            result.url = receipt.url.map { Redaction.outsideText($0, limit: 2048) }
            result.note = receipt.note.map { Redaction.outsideText($0, limit: 1000) }
            result.cover = receipt.cover
            if let cover = receipt.cover, cover.state != .set {
                let retry = cover.state == .notSet && cover.retryable ? "; `atom status \(recordID)` retries the cover" : ""
                result.note = [result.note, cover.description + retry].compactMap { $0 }.joined(separator: "; ")
            }
            checkpoint = receipt.checkpoint
            if receipt.status == .processing { result.finishedAt = nil }
        case .failure(let error):
            if error.code == .cancelled || cancelled {
                result.status = .interrupted
                result.finishedAt = nil
            } else {
                result.error = ErrorSummary(error)
            }
        }
        let final = result
        let newCheckpoint = checkpoint
        let keepCheckpoint: Bool = final.status == .interrupted || final.status == .processing
        do {
            try await records.updateAsync { file in
            guard let i = file.entries.firstIndex(where: { $0.id == recordID }) else { return }
            file.entries[i].status = final.status
            file.entries[i].owner = nil
            file.entries[i].updatedAt = time
            file.entries[i].error = final.error
            file.entries[i].note = final.note
            if final.cover != nil || final.status == .published { file.entries[i].cover = final.cover ?? file.entries[i].cover }
            if final.status == .published || final.status == .processing {
                file.entries[i].postId = final.postId ?? file.entries[i].postId
                file.entries[i].url = final.url ?? file.entries[i].url
            }
            if final.status == .published { file.entries[i].finishedAt = time }
            if let newCheckpoint { file.entries[i].checkpoint = newCheckpoint } else if !keepCheckpoint, final.error?.retryable != true {
                file.entries[i].checkpoint = nil  // a retryable failure keeps its checkpoint to resume from
            }
            }
        } catch {
            result.recordError = ErrorSummary(Self.unrecorded(final, because: error))
        }
        return result
    }

    /// The error for an outcome the record could not take: says what is live (post id, URL) so nothing is lost.
    static func unrecorded(_ result: PlatformResult, because error: any Error) -> PublishError {
        let reason = PublishError.wrapping(error, platform: result.platform).message
        let live = [result.postId.map { "post id \($0)" }, result.url].compactMap { $0 }.joined(separator: ", ")
        let what: String
        switch result.status {
        case .published, .processing:
            what = "the post is live" + (live.isEmpty ? "" : " (\(live))") + " but is not recorded"
        default:
            what = "the \(result.status.rawValue) outcome is not recorded (the record may still say uploading)"
        }
        return PublishError(
            .storage, platform: result.platform, message: "\(what): \(reason)",
            remediation: "fix the state folder (ATOM_STATE_DIR, default ~/.atom); until the record is right, "
                + "`atom post` of this file may post it again")
    }

    /// Records every claimed platform as `interrupted` (Ctrl-C during the preflight).
    func markInterrupted(jobs: [Int: PublishJob], failures: RecordFailures) async {
        let ids = jobs.values.map(\.recordID)
        let time = now()
        let records = self.records
        await failures.attempt("the interrupted state") {
            try await records.updateAsync { file in
                for i in file.entries.indices where ids.contains(file.entries[i].id) {
                    file.entries[i].status = .interrupted
                    file.entries[i].owner = nil
                    file.entries[i].updatedAt = time
                }
            }
        }
    }

    func interruptedReport(claims: [Claim], results: [PlatformResult?], jobs: [Int: PublishJob], videoPath: String, sha256: String) -> PostReport {
        var final = results
        for (index, job) in jobs { final[index] = PlatformResult(status: .interrupted, platform: claims[index].publisher.platform, id: job.recordID) }
        return PostReport(video: videoPath, sha256: sha256, results: final.compactMap { $0 }, interrupted: true)
    }
}

/// Record writes that failed during one run: each is reported at once on the progress stream and kept for the
/// report, so that no failed write to the record goes unsaid.
final class RecordFailures: Sendable {
    private let box = LockedBox<[String]>([])
    private let reporter: ProgressReporter

    init(progress: AsyncStream<PublishEvent>.Continuation?) {
        reporter = ProgressReporter(platform: .staging, continuation: progress)
    }

    /// What failed so far, or `nil` when nothing did.
    var messages: [String]? {
        let all = box.value
        return all.isEmpty ? nil : all
    }

    /// Runs `write`; a failure is recorded as "could not record `what`: reason".
    func attempt(_ what: String, _ write: () async throws -> Void) async {
        do {
            try await write()
        } catch {
            let message = "could not record \(what): \(PublishError.wrapping(error, platform: .staging).message)"
            box.withLock { $0.append(message) }
            reporter.report(.failed, message: message)
        }
    }
}
