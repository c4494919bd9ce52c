import Foundation

/// What the YouTube adapter saves in the record's journal to continue after Ctrl-C, a crash or a wait that ran out.
struct YouTubeCheckpoint: Codable, Sendable, Equatable {
    enum Stage: String, Codable, Sendable {
        /// A resumable session exists; its URI says where to continue (the server keeps the offset).
        case uploading
        /// The bytes are in; YouTube is processing `videoID`.
        case processing
    }

    var stage: Stage
    /// The resumable session URI (uploading only). It authorises the upload by itself; it stays in the local record.
    var sessionURI: String?
    /// The file the session belongs to; a different file starts a new session.
    var fileSize: Int64
    /// Written by versions before uploads started beside the hash; now the entry's own digest says which file it is.
    var sha256: String?
    /// The video, once uploaded.
    var videoID: String?
    /// The privacy the user asked for (to spot an upload YouTube locked private).
    var intendedPrivacy: String
    /// When a scheduled video goes public.
    var scheduledAt: Date?
    /// Whether the video qualifies as a Short (vertical or square, at most 3 minutes), decided from the probed file.
    var isShort: Bool
}
