import Foundation
import PublishingCore

/// Page videos: the resumable chunked `/{page-id}/videos` protocol (start → transfer… → finish), or one
/// `file_url` call in URL mode.
extension PublishRun {
    struct VideoStartAnswer: Decodable {
        var videoID: String
        var uploadSessionID: String
        var startOffset: FlexibleInt64
        var endOffset: FlexibleInt64
    }

    struct OffsetsAnswer: Decodable {
        var startOffset: FlexibleInt64
        var endOffset: FlexibleInt64
    }

    struct CreatedAnswer: Decodable {
        var id: String
    }

    /// The offsets the server wants next.
    struct NextChunk: Sendable {
        var start: Int64
        var end: Int64
        /// Whether they came from an offset correction rather than an acknowledged chunk.
        var corrected: Bool
    }

    /// The most offset corrections accepted in a row without a chunk being taken.
    static let maxCorrectionsInARow = 8

    /// `upload_phase=start` with the file size; journals the session and the first chunk's offsets.
    func startVideo() async throws -> FacebookCheckpoint {
        context.progress.report(.uploading, sent: 0, total: size, message: "starting a Page video upload")
        let size = self.size
        let answer = try await retrying { [client, configuration] _ in
            try await client.post(client.path(configuration.pageID, "videos"),
                                  form: [("upload_phase", "start"), ("file_size", String(size))],
                                  as: VideoStartAnswer.self, operationID: "facebook.video.start")
        }
        let checkpoint = FacebookCheckpoint(
            format: .video, mode: configuration.uploadMode.description, stage: .started, videoID: answer.videoID,
            uploadSessionID: answer.uploadSessionID, startOffset: answer.startOffset.value, endOffset: answer.endOffset.value,
            fileSize: size, sha256: job.sha256)
        try await save(checkpoint)
        return checkpoint
    }

    /// Sends the chunks the server asks for (`start_offset`…`end_offset`), journaling the offsets after each,
    /// until the server's offsets meet. A failed transfer is retried with the same offsets; when the server already
    /// had those bytes it answers with the offsets it wants (subcode 1363037), which are followed.
    func pushVideoChunks(_ state: FacebookCheckpoint) async throws -> FacebookCheckpoint {
        let file = try job.requireFile(platform: .facebook)
        guard let session = state.uploadSessionID, var start = state.startOffset, var end = state.endOffset else {
            throw FacebookFailure.unexpectedResponse(operationID: "facebook.video.transfer", detail: "the checkpoint lacks the upload session")
        }
        var state = state
        var corrections = 0
        while start < end {
            guard start >= 0, end <= size else {
                throw FacebookFailure.offsetsOutOfRange(operationID: "facebook.video.transfer", start: start, end: end, size: size)
            }
            let next = try await transfer(file: file, session: session, start: start, end: end)
            corrections = next.corrected ? corrections + 1 : 0
            if corrections > Self.maxCorrectionsInARow {
                throw FacebookFailure.offsetsNotAdvancing(operationID: "facebook.video.transfer", start: next.start, end: next.end)
            }
            (start, end) = (next.start, next.end)
            state.startOffset = start
            state.endOffset = end
            try await save(state)
        }
        state.stage = .uploaded
        try await save(state)
        context.progress.report(.uploading, sent: size, total: size)
        return state
    }

    /// One `upload_phase=transfer` with bytes `start..<end` as multipart `video_file_chunk`, retried on failure.
    /// - Returns: The next offsets, and whether they are a correction rather than an acknowledgement.
    private func transfer(file: MediaFileHandle, session: String, start: Int64, end: Int64) async throws -> NextChunk {
        let size = self.size
        return try await retrying { [client, configuration, context] attempt in
            if attempt > 1 { context.progress.report(.retrying, sent: start, total: size, message: "resending bytes \(start)–\(end)") }
            let form = MultipartForm(
                fields: [("upload_phase", "transfer"), ("upload_session_id", session), ("start_offset", String(start))],
                fileField: "video_file_chunk", fileName: "chunk-\(start).mp4", contentType: "application/octet-stream",
                file: file.chunks(in: start..<end), onChunk: context.progress.byteCounter(startingAt: start, total: size))
            do {
                let answer = try await client.post(client.path(configuration.pageID, "videos"), multipart: form, as: OffsetsAnswer.self,
                                                   operationID: "facebook.video.transfer")
                return NextChunk(start: answer.startOffset.value, end: answer.endOffset.value, corrected: false)
            } catch FacebookFailure.offsetCorrection(let start, let end) {
                return NextChunk(start: start, end: end, corrected: true)
            }
        }
    }

    /// `upload_phase=finish` with the title and description, unpublished with `scheduled_publish_time` when scheduled.
    func finishVideo(_ state: FacebookCheckpoint) async throws {
        guard let session = state.uploadSessionID else {
            throw FacebookFailure.unexpectedResponse(operationID: "facebook.video.finish", detail: "the checkpoint lacks the upload session")
        }
        let form = [("upload_phase", "finish"), ("upload_session_id", session)] + metadataForm
        let answer = try await client.post(client.path(configuration.pageID, "videos"), form: form, as: SuccessAnswer.self,
                                           operationID: "facebook.video.finish")
        guard answer.success != false else {
            throw FacebookFailure.unexpectedResponse(operationID: "facebook.video.finish", detail: "finish answered success: false")
        }
    }

    /// URL mode: one `POST /{page-id}/videos` with `file_url` creates the video; Facebook fetches the file while it
    /// processes. The call is never repeated after an unclear failure (it could post the video twice).
    func postVideoByURL() async throws -> FacebookCheckpoint {
        context.progress.report(.waitingForStaging)
        let url = try await context.stagedURL()
        context.progress.report(.publishing, message: "Facebook is fetching the staged copy")
        let form = [("file_url", url.absoluteString)] + metadataForm
        let answer = try await retrying { [client, configuration] _ in
            do {
                return try await client.post(client.path(configuration.pageID, "videos"), form: form, as: CreatedAnswer.self,
                                             operationID: "facebook.video.create")
            } catch let error as TransportError {
                // The video may exist already: never resend blindly.
                throw PublishError(.network, platform: .facebook, operationID: error.operationID, message: error.message,
                                   remediation: "check the Page's videos before posting again: the video may have been created",
                                   retryable: false)
            }
        }
        let checkpoint = FacebookCheckpoint(
            format: .video, mode: configuration.uploadMode.description, stage: .finished, videoID: answer.id,
            fileSize: size, sha256: job.sha256, fileURLSent: true)
        try await save(checkpoint)
        return checkpoint
    }

    /// Title, description and scheduling fields of a Page video.
    private var metadataForm: [(String, String)] {
        var form: [(String, String)] = []
        if let title = post.title { form.append(("title", title)) }
        if let description = post.description { form.append(("description", description)) }
        if let time = scheduledPublishTime { form += [("published", "false"), ("scheduled_publish_time", time)] }
        return form
    }
}
