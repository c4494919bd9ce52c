import Foundation
import PublishingCore

/// The envelope of every Content Posting API answer: `{"data": {...}, "error": {"code", "message", "log_id"}}`.
struct TikTokEnvelope<Data: Decodable>: Decodable {
    var data: Data?
    var error: TikTokAPIError?
}

/// TikTok's error object; `code == "ok"` on success.
struct TikTokAPIError: Decodable, Sendable, Equatable {
    var code: String
    var message: String?
    var logID: String?

    var isOK: Bool { code == "ok" }
}

/// `creator_info/query` data.
struct TikTokCreatorInfo: Decodable, Sendable, Equatable {
    var creatorAvatarURL: String?
    var creatorUsername: String?
    var creatorNickname: String?
    var privacyLevelOptions: [String]?
    var commentDisabled: Bool?
    var duetDisabled: Bool?
    var stitchDisabled: Bool?
    var maxVideoPostDurationSec: Int?
}

/// `post_info` of a direct post.
struct TikTokPostInfo: Encodable, Sendable, Equatable {
    var title: String
    var privacyLevel: String
    var disableDuet: Bool
    var disableStitch: Bool
    var disableComment: Bool
    var videoCoverTimestampMs: Int?
    var brandContentToggle: Bool
    var brandOrganicToggle: Bool
    var isAigc: Bool
}

/// `source_info`: `FILE_UPLOAD` with sizes, or `PULL_FROM_URL` with the URL.
struct TikTokSourceInfo: Encodable, Sendable, Equatable {
    var source: String
    var videoSize: Int64?
    var chunkSize: Int64?
    var totalChunkCount: Int?
    var videoURL: String?

    static func fileUpload(_ plan: TikTokChunkPlan) -> TikTokSourceInfo {
        TikTokSourceInfo(
            source: "FILE_UPLOAD", videoSize: plan.videoSize, chunkSize: plan.chunkSize,
            totalChunkCount: plan.chunkCount)
    }

    static func pull(_ url: URL) -> TikTokSourceInfo {
        TikTokSourceInfo(source: "PULL_FROM_URL", videoURL: url.absoluteString)
    }
}

/// The body of `video/init` (with `post_info`) or `inbox/video/init` (without).
struct TikTokInitRequest: Encodable, Sendable {
    var postInfo: TikTokPostInfo?
    var sourceInfo: TikTokSourceInfo
}

/// `init` data.
struct TikTokInitData: Decodable, Sendable {
    var publishID: String
    var uploadURL: String?
}

/// The body of `status/fetch`.
struct TikTokStatusRequest: Encodable, Sendable {
    var publishID: String
}

/// `status/fetch` data.
struct TikTokStatusData: Decodable, Sendable, Equatable {
    var status: String
    var failReason: String?
    /// The public post ids (TikTok's spelling); only once a public post passes moderation.
    var publicalyAvailablePostID: [TikTokPostID]?
    var uploadedBytes: Int64?
    var downloadedBytes: Int64?

    static let processingUpload = "PROCESSING_UPLOAD"
    static let processingDownload = "PROCESSING_DOWNLOAD"
    static let sentToInbox = "SEND_TO_USER_INBOX"
    static let complete = "PUBLISH_COMPLETE"
    static let failed = "FAILED"
}

/// A post id documented as int64 but decoded from a number or a string, kept exact as text.
typealias TikTokPostID = IntegerText

/// The token endpoint's answer; errors come as `error`/`error_description`/`log_id` instead.
struct TikTokTokenResponse: Decodable, Sendable {
    var accessToken: String?
    var expiresIn: Int?
    var refreshToken: String?
    var refreshExpiresIn: Int?
    var openID: String?
    var scope: String?
    var error: String?
    var errorDescription: String?
    var logID: String?
}
