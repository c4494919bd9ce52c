import Foundation

/// `GET /{video-id}?fields=status,permalink_url`: a video's upload, processing and publishing phases.
struct VideoNode: Decodable, Sendable {
    var id: String?
    var status: VideoStatus?
    var permalinkURL: String?
}

/// The `status` field of a video.
struct VideoStatus: Decodable, Sendable {
    struct Phase: Decodable, Sendable {
        var status: String?
        var bytesTransferred: FlexibleInt64?
        var errors: [PhaseError]?
    }

    struct PhaseError: Decodable, Sendable {
        var code: Int?
        var message: String?
    }

    struct PublishingPhase: Decodable, Sendable {
        var status: String?
        var publishStatus: String?
        var publishTime: FlexibleInt64?
        var errors: [PhaseError]?
    }

    /// `uploading`, `upload_complete`, `processing`, `ready`, `error`, …
    var videoStatus: String?
    var uploadingPhase: Phase?
    var processingPhase: Phase?
    var publishingPhase: PublishingPhase?

    /// Where processing stands.
    enum Outcome: Equatable {
        /// Published (`publish_status` `published`), scheduled or draft.
        case done(publishStatus: String?)
        case failed(String)
        case pending(String)
    }

    var outcome: Outcome {
        if let message = failureMessage { return .failed(message) }
        if publishingPhase?.status == "complete" || videoStatus == "ready" {
            return .done(publishStatus: publishingPhase?.publishStatus)
        }
        let phase = [("publishing", publishingPhase?.status), ("processing", processingPhase?.status), ("uploading", uploadingPhase?.status)]
            .first { $0.1 == "in_progress" }?.0
        return .pending(phase.map { "\($0) in progress" } ?? (videoStatus ?? "waiting"))
    }

    /// The error, when any phase failed.
    var failureMessage: String? {
        let phases: [(String?, [PhaseError]?)] = [
            (uploadingPhase?.status, uploadingPhase?.errors), (processingPhase?.status, processingPhase?.errors),
            (publishingPhase?.status, publishingPhase?.errors),
        ]
        for (status, errors) in phases where status == "error" {
            return errors?.compactMap(\.message).first ?? "processing failed"
        }
        return videoStatus == "error" ? "video_status is error" : nil
    }

    /// Whether every byte arrived (or the file URL was fetched).
    var isUploaded: Bool { uploadingPhase?.status == "complete" }

    /// Whether the finish call already happened: processing or publishing has started. Neither starts before
    /// the finish phase (Meta's Reels sample shows both `not_started` between upload and finish).
    var hasFinished: Bool {
        let started = { (status: String?) in status != nil && status != "not_started" }
        return started(processingPhase?.status) || started(publishingPhase?.status)
    }
}
