import Foundation
import Logging
import PublishingCore

extension YouTubePublisher {
    /// Uploads the file through a resumable session — the saved one if it is still alive, else a new one —
    /// and returns the video resource of the finished upload.
    func upload(
        _ file: MediaFileHandle, metadata: YouTubeMetadata, checkpoint: YouTubeCheckpoint, contentType: String,
        context: PublishContext
    ) async throws -> YouTubeVideoResource {
        let size = file.size
        var session = checkpoint.sessionURI.flatMap { URL(string: $0) }
        var restarts = 0
        while true {
            do {
                let sessionURL: URL
                let offset: Int64
                if let existing = session {
                    try uploads.checkSession(existing)
                    context.progress.report(.uploading, message: "resuming the upload session")
                    let progress = try await retrying(context, host: existing) { _ in
                        try await uploads.queryStatus(session: existing, total: size)
                    }
                    switch progress {
                    case .complete(let video):
                        context.progress.report(
                            .uploading, sent: size, total: size, message: "the upload had already finished")
                        return video
                    case .incomplete(let next, let retryAfter):
                        try Self.checkOffset(next, size: size)
                        if let retryAfter { try await context.clock.sleep(for: retryAfter) }
                        context.logger.debug(
                            "resuming the YouTube upload", metadata: ["offset": "\(next)", "size": "\(size)"])
                        offset = next
                    }
                    sessionURL = existing
                } else {
                    context.progress.report(.uploading, sent: 0, total: size, message: "starting the upload session")
                    sessionURL = try await retrying(context) { _ in
                        try await uploads.startSession(metadata, size: size, contentType: contentType)
                    }
                    var saved = checkpoint
                    saved.sessionURI = sessionURL.absoluteString
                    try await context.journal.save(saved)
                    offset = 0
                }
                session = sessionURL
                return try await sendChunks(
                    file, session: sessionURL, from: offset, contentType: contentType, context: context)
            } catch YouTubeFailure.sessionExpired(let status) {
                guard restarts < configuration.maxSessionRestarts else {
                    throw YouTubeFailure.sessionExpired(status: status)
                }
                restarts += 1
                session = nil
                context.progress.report(
                    .retrying, message: "the upload session expired (HTTP \(status)); starting a new one")
            }
        }
    }

    /// Sends chunks from `offset` until the server answers with the video. A failed chunk is retried with backoff
    /// from the offset the server reports, never from zero and never resending bytes it holds.
    private func sendChunks(
        _ file: MediaFileHandle, session: URL, from start: Int64, contentType: String, context: PublishContext
    ) async throws -> YouTubeVideoResource {
        let size = file.size
        let chunkSize = Int64(configuration.effectiveChunkSize)
        let uploads = self.uploads
        let progress = context.progress
        let clock = context.clock
        let commitPoint = context.commitPoint
        var offset = start
        var stalls = 0
        while true {
            let from = offset
            let outcome = try await retrying(context, host: session) { attempt in
                var position = from
                if attempt > 1 {
                    // After a 5xx or a dropped connection the server may hold more (or less) than we think: ask.
                    switch try await uploads.queryStatus(session: session, total: size) {
                    case .complete(let video):
                        return ResumableUploadClient.Progress.complete(video)
                    case .incomplete(let next, let retryAfter):
                        try Self.checkOffset(next, size: size)
                        if let retryAfter { try await clock.sleep(for: retryAfter) }
                        position = next
                    }
                }
                if position == size {
                    // A 308 that reports every byte stored: ask for the final answer with an empty
                    // `Content-Range: bytes */N` request, as Google's resumable-upload docs do for an
                    // unclear outcome (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol).
                    return try await uploads.queryStatus(session: session, total: size)
                }
                let end = min(size, position + chunkSize)
                // The last chunk makes the video: on a first post atom decides here, with the hash known, whether
                // the video is a duplicate (the commit point throws CancellationError, never retried, if so).
                if end == size { try await commitPoint() }
                return try await uploads.sendChunk(
                    session: session, file: file, range: position..<end, total: size, contentType: contentType,
                    onChunk: progress.byteCounter(startingAt: position, total: size)
                )
            }
            switch outcome {
            case .complete(let video):
                progress.report(.uploading, sent: size, total: size)
                return video
            case .incomplete(let next, let retryAfter):
                try Self.checkOffset(next, size: size)
                stalls = next > from ? 0 : stalls + 1
                if stalls >= 3 {
                    throw YouTubeFailure.protocolViolation(
                        operationID: next == size ? "youtube.upload.status" : "youtube.upload.chunk",
                        detail: next == size
                            ? "YouTube holds all \(size) bytes but answers 308 instead of the video, three times"
                            : "the session stopped accepting bytes at offset \(next)")
                }
                if let retryAfter { try await clock.sleep(for: retryAfter) }
                offset = next
            }
        }
    }

    /// Runs one step under the retry policy, each retry reported as "retrying <host> (n/m) in Ns" (the API host
    /// unless `host` is given).
    func retrying<T: Sendable>(
        _ context: PublishContext, host: URL? = nil, _ operation: @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await context.retrying(
            configuration.retryPolicy, target: (host ?? configuration.baseURL).retryTarget, operation)
    }

    /// An offset a 308 reported must lie inside the file: `0 ... size`. All bytes stored should answer 200/201, but
    /// a 308 reporting all of them happens; atom then asks for the final status.
    static func checkOffset(_ offset: Int64, size: Int64) throws {
        guard offset >= 0, offset <= size else {
            throw YouTubeFailure.protocolViolation(
                operationID: "youtube.upload.status",
                detail: "the session reports offset \(offset) of \(size) bytes without finishing")
        }
    }
}
