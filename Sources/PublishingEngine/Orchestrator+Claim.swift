import Foundation
import PublishingCore

/// Claims in the record: which platforms this run skips (published, or being posted by another process), resumes
/// (interrupted, processing, a retryable failure) or starts afresh.
extension Orchestrator {
    struct Claim: Sendable {
        enum Outcome: Sendable {
            case skip(PlatformResult)
            case proceed(recordID: String, checkpoint: JSONValue?, startedAt: Date, previous: PostRecord?)
        }
        var publisher: any Publisher
        var draft: PostDraft
        var outcome: Outcome
        /// A published entry whose cover is retried alone (`atom status`).
        var coverOnly: PostRecord? = nil
    }

    /// Claims every target in the record, under its lock. A new entry takes its id from `ids` (by target) when given:
    /// the id the tentative claim showed the preflight, so what an adapter keyed by it then is found again.
    func claim(_ request: PostRequest, media: MediaInfo, sha256: String, ids: [String?] = []) async throws -> [Claim] {
        let now = self.now
        return try await records.updateAsync { file -> [Claim] in
            Self.decide(request, media: media, sha256: sha256, in: &file, now: now, ids: ids)
        }
    }

    /// What ``claim(_:media:sha256:)`` would decide now, written nowhere: the preflight runs on it.
    func tentativeClaim(_ request: PostRequest, media: MediaInfo, sha256: String) async throws -> [Claim] {
        var file = try await records.readAsync()
        return Self.decide(request, media: media, sha256: sha256, in: &file, now: now)
    }

    /// Decides, and writes into `file`, what each target does: skip, resume or start afresh.
    static func decide(
        _ request: PostRequest, media: MediaInfo, sha256: String, in file: inout RecordFile, now: () -> Date, ids: [String?] = []
    ) -> [Claim] {
        let video = request.videoPath
        let force = request.force
        return request.targets.enumerated().map { position, target -> Claim in
                let platform = target.publisher.platform
                let time = now()
                // Judge from the newest entry of this video on this platform; `--force` always starts a new entry, so
                // every attempt keeps its own caption, URL and times.
                let matching = file.entries.indices.filter {
                    file.entries[$0].sha256 == sha256 && file.entries[$0].platform == platform
                }
                let byAge: (Int, Int) -> Bool = { (file.entries[$0].createdAt, $0) < (file.entries[$1].createdAt, $1) }
                let newest = matching.max(by: byAge)
                let newestPublished = matching.filter { file.entries[$0].status == .published }.max(by: byAge)
                let earlierPostIds = matching.compactMap { file.entries[$0].postId }
                if let index = newestPublished ?? newest, !force {
                    let entry = file.entries[index]
                    let busy = entry.status == .uploading && (entry.owner?.isAlive(now: time) ?? false)
                    if busy {
                        var result = Self.result(of: entry)
                        result.status = .skipped
                        result.note = "being posted right now by another atom process (pid \(entry.owner?.pid ?? 0)); use --force to post anyway"
                        return Claim(publisher: target.publisher, draft: target.draft, outcome: .skip(result))
                    }
                    if entry.status == .published {
                        var result = Self.result(of: entry)
                        result.status = .skipped
                        result.note = "already published on \(entry.updatedAt.formatted(.iso8601)); use --force to post again"
                        return Claim(publisher: target.publisher, draft: target.draft, outcome: .skip(result))
                    }
                    // Resume what can be resumed; start over after a failure.
                    let resumable = ([.interrupted, .processing, .uploading].contains(entry.status) || (entry.status == .failed && entry.error?.retryable == true))
                    var updated = entry
                    updated.status = .uploading
                    updated.owner = .current(now: time)
                    updated.video = video
                    updated.draft = target.draft
                    updated.media = media
                    updated.error = nil
                    updated.updatedAt = time
                    if !resumable {
                        updated.checkpoint = nil
                        updated.postId = nil
                        updated.url = nil
                        updated.startedAt = time
                        updated.finishedAt = nil
                    }
                    file.entries[index] = updated
                    return Claim(publisher: target.publisher, draft: target.draft,
                                 outcome: .proceed(recordID: entry.id, checkpoint: resumable ? entry.checkpoint : nil,
                                                   startedAt: updated.startedAt ?? time, previous: entry))
                }
                let id = (position < ids.count ? ids[position] : nil).flatMap { id in
                    file.entries.contains { $0.id == id } ? nil : id
                } ?? Self.newID()
                file.entries.append(PostRecord(
                    id: id, platform: platform, status: .uploading, postId: nil, url: nil, video: video, sha256: sha256,
                    sizeBytes: media.sizeBytes, createdAt: time, updatedAt: time, startedAt: time, finishedAt: nil, error: nil,
                    checkpoint: nil, stagingKey: nil, draft: target.draft, media: media,
                    owner: .current(now: time), note: nil, previousPostIds: force && !earlierPostIds.isEmpty ? earlierPostIds : nil
                ))
                return Claim(publisher: target.publisher, draft: target.draft, outcome: .proceed(recordID: id, checkpoint: nil, startedAt: time, previous: nil))
        }
    }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func result(of entry: PostRecord) -> PlatformResult {
        PlatformResult(status: entry.status, platform: entry.platform, id: entry.id, postId: entry.postId, url: entry.url,
                       startedAt: entry.startedAt, finishedAt: entry.finishedAt, error: entry.error, note: entry.note)
    }
}

extension Orchestrator {
    /// The results of the claims that skip their platform (`nil` for those that proceed).
    static func skipped(_ claims: [Claim]) -> [PlatformResult?] {
        claims.map { claim in
            if case .skip(let result) = claim.outcome { return result }
            return nil
        }
    }

    /// One job per proceeding claim, by index.
    static func jobs(
        for claims: [Claim], active: [Int], media: MediaInfo, file: MediaFileHandle?, sha256: String, covers: [PlatformID: CoverPlan]
    ) -> [Int: PublishJob] {
        Dictionary(uniqueKeysWithValues: active.map { index in
            guard case .proceed(let id, let checkpoint, _, _) = claims[index].outcome else { fatalError("unreachable") }
            let cover = covers[claims[index].publisher.platform]?.usable
            return (index, PublishJob(recordID: id, draft: claims[index].draft, media: media, file: file, sha256: sha256, checkpoint: checkpoint,
                                      cover: cover))
        })
    }
}
