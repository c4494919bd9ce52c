import Foundation

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

    enum CodingKeys: String, CodingKey {
        case code, message
        case logID = "log_id"
    }

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

    enum CodingKeys: String, CodingKey {
        case creatorAvatarURL = "creator_avatar_url"
        case creatorUsername = "creator_username"
        case creatorNickname = "creator_nickname"
        case privacyLevelOptions = "privacy_level_options"
        case commentDisabled = "comment_disabled"
        case duetDisabled = "duet_disabled"
        case stitchDisabled = "stitch_disabled"
        case maxVideoPostDurationSec = "max_video_post_duration_sec"
    }
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

    enum CodingKeys: String, CodingKey {
        case title
        case privacyLevel = "privacy_level"
        case disableDuet = "disable_duet"
        case disableStitch = "disable_stitch"
        case disableComment = "disable_comment"
        case videoCoverTimestampMs = "video_cover_timestamp_ms"
        case brandContentToggle = "brand_content_toggle"
        case brandOrganicToggle = "brand_organic_toggle"
        case isAigc = "is_aigc"
    }
}

/// `source_info`: `FILE_UPLOAD` with sizes, or `PULL_FROM_URL` with the URL.
struct TikTokSourceInfo: Encodable, Sendable, Equatable {
    var source: String
    var videoSize: Int64?
    var chunkSize: Int64?
    var totalChunkCount: Int?
    var videoURL: String?

    enum CodingKeys: String, CodingKey {
        case source
        case videoSize = "video_size"
        case chunkSize = "chunk_size"
        case totalChunkCount = "total_chunk_count"
        case videoURL = "video_url"
    }

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

    enum CodingKeys: String, CodingKey {
        case postInfo = "post_info"
        case sourceInfo = "source_info"
    }
}

/// `init` data.
struct TikTokInitData: Decodable, Sendable {
    var publishID: String
    var uploadURL: String?

    enum CodingKeys: String, CodingKey {
        case publishID = "publish_id"
        case uploadURL = "upload_url"
    }
}

/// The body of `status/fetch`.
struct TikTokStatusRequest: Encodable, Sendable {
    var publishID: String
    enum CodingKeys: String, CodingKey { case publishID = "publish_id" }
}

/// `status/fetch` data.
struct TikTokStatusData: Decodable, Sendable, Equatable {
    var status: String
    var failReason: String?
    /// The public post ids (TikTok's spelling); only once a public post passes moderation.
    var publicalyAvailablePostID: [TikTokPostID]?
    var uploadedBytes: Int64?
    var downloadedBytes: Int64?

    enum CodingKeys: String, CodingKey {
        case status
        case failReason = "fail_reason"
        case publicalyAvailablePostID = "publicaly_available_post_id"
        case uploadedBytes = "uploaded_bytes"
        case downloadedBytes = "downloaded_bytes"
    }

    static let processingUpload = "PROCESSING_UPLOAD"
    static let processingDownload = "PROCESSING_DOWNLOAD"
    static let sentToInbox = "SEND_TO_USER_INBOX"
    static let complete = "PUBLISH_COMPLETE"
    static let failed = "FAILED"
}

/// A post id documented as int64 but decoded from a number or a string, kept exact as text
/// (a 19-digit id does not survive a trip through `Double`).
struct TikTokPostID: Decodable, Sendable, Equatable {
    var value: String

    init(_ value: String) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = String(number)
        } else if let number = try? container.decode(UInt64.self) {
            value = String(number)
        } else {
            value = try container.decode(String.self)
        }
    }
}

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

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case refreshExpiresIn = "refresh_expires_in"
        case openID = "open_id"
        case scope, error
        case errorDescription = "error_description"
        case logID = "log_id"
    }
}
