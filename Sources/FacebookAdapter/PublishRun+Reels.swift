import Foundation
import HTTPTypes
import PublishingCore

/// Page Reels: `POST /{page-id}/video_reels` (start) → rupload (bytes or `file_url`) → `video_reels` (finish).
extension PublishRun {
    struct ReelStartAnswer: Decodable {
        var videoID: String
        var uploadURL: String?
    }

    struct ReelFinishAnswer: Decodable {
        var success: Bool?
        var postID: String?
    }

    /// Opens an upload session and journals it.
    func startReel() async throws -> FacebookCheckpoint {
        context.progress.report(.uploading, sent: 0, total: size, message: "starting a Reel upload")
        let answer = try await retrying { [client, configuration] _ in
            try await client.post(client.path(configuration.pageID, "video_reels"), form: [("upload_phase", "start")],
                                  as: ReelStartAnswer.self, operationID: "facebook.reels.start")
        }
        let checkpoint = FacebookCheckpoint(
            format: .reel, mode: configuration.uploadMode.description, stage: .started, videoID: answer.videoID,
            fileSize: size, sha256: job.sha256)
        try await save(checkpoint)
        return checkpoint
    }

    /// Sends the file's bytes to rupload, resuming from the byte count Facebook reports after any failure
    /// (`uploading_phase.bytes_transferred`), so no byte is sent twice on purpose.
    func pushReel(_ state: FacebookCheckpoint) async throws -> FacebookCheckpoint {
        let file = try job.requireFile(platform: .facebook)
        let fresh = job.checkpoint == nil
        let videoID = state.videoID
        let size = self.size
        try await retrying(configuration.ruploadBaseURL) { [client, context] attempt in
            // A fresh session starts at 0; after a failure or on a resume, the server says where to go on from.
            let offset: Int64
            if attempt == 1, fresh {
                offset = 0
            } else {
                let node = try await poller(videoID).read()
                offset = node.status?.uploadingPhase?.bytesTransferred?.value ?? 0
                if node.status?.isUploaded == true || offset >= size { return }
                context.progress.report(.retrying, sent: offset, total: size, message: "resuming the upload at byte \(offset)")
            }
            var headers = HTTPFields()
            headers[.ruploadOffset] = String(offset)
            headers[.ruploadFileSize] = String(size)
            headers[.contentType] = "application/octet-stream"
            let body = file.chunks(in: offset..<size).body(onChunk: context.progress.byteCounter(startingAt: offset, total: size))
            try await client.rupload(videoID: videoID, headers: headers, body: body, operationID: "facebook.reels.upload")
        }
        var next = state
        next.stage = .uploaded
        try await save(next)
        return next
    }

    /// Hands Facebook the staged URL (`file_url` header) and waits for it to fetch the file.
    func sendReelURL(_ state: FacebookCheckpoint, budget: inout Duration) async throws -> FacebookCheckpoint {
        var state = state
        let poller = self.poller(state.videoID)
        if state.fileURLSent == true {
            // A previous run handed the URL over: watch that fetch unless it never started or failed.
            let node = try? await poller.read()
            if node?.status?.isUploaded == true {
                return try await markUploaded(state)
            }
            if node?.status?.uploadingPhase?.status != "in_progress" { state.fileURLSent = false }
        }
        if state.fileURLSent != true {
            context.progress.report(.waitingForStaging)
            let url = try await context.stagedURL()
            context.progress.report(.uploading, message: "Facebook is fetching the staged copy")
            var headers = HTTPFields()
            headers[.ruploadFileURL] = url.absoluteString
            let videoID = state.videoID
            try await retrying(configuration.ruploadBaseURL) { [client, headers] _ in
                try await client.rupload(videoID: videoID, headers: headers, body: nil, operationID: "facebook.reels.upload")
            }
            state.fileURLSent = true
            try await save(state)
        }
        guard case .satisfied = try await poller.poll(budget: &budget, phase: .uploading, until: \.isUploaded) else { return state }
        return try await markUploaded(state)
    }

    private func markUploaded(_ state: FacebookCheckpoint) async throws -> FacebookCheckpoint {
        await context.releaseStaging()
        context.progress.report(.uploading, sent: size, total: size)
        var next = state
        next.stage = .uploaded
        try await save(next)
        return next
    }

    /// `upload_phase=finish` with `video_state` PUBLISHED, or SCHEDULED with `scheduled_publish_time`.
    func finishReel(_ state: FacebookCheckpoint) async throws {
        var form: [(String, String)] = [("upload_phase", "finish"), ("video_id", state.videoID)]
        if let time = scheduledPublishTime {
            form += [("video_state", "SCHEDULED"), ("scheduled_publish_time", time)]
        } else {
            form.append(("video_state", "PUBLISHED"))
        }
        if let description = post.description { form.append(("description", description)) }
        if let title = post.title { form.append(("title", title)) }
        let answer = try await client.post(client.path(configuration.pageID, "video_reels"), form: form, as: ReelFinishAnswer.self,
                                           operationID: "facebook.reels.finish")
        guard answer.success != false else {
            throw FacebookFailure.unexpectedResponse(operationID: "facebook.reels.finish", detail: "finish answered success: false")
        }
    }
}
