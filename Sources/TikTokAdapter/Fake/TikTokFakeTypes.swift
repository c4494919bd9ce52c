import Foundation
import PlatformKit
import PublishingCore

/// One endpoint of the TikTok fake, for fault injection and the request log.
public struct TikTokFakeEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The endpoint's name in logs.
    public let name: String
    private init(_ name: String) { self.name = name }

    /// `POST /v2/oauth/token/`.
    public static let token = TikTokFakeEndpoint("token")
    /// `GET /v2/auth/authorize/` (the sandbox's stand-in for the browser page).
    public static let authorize = TikTokFakeEndpoint("authorize")
    /// `POST /v2/post/publish/creator_info/query/`.
    public static let creatorInfo = TikTokFakeEndpoint("creator_info")
    /// `POST /v2/post/publish/video/init/`.
    public static let directInit = TikTokFakeEndpoint("video_init")
    /// `POST /v2/post/publish/inbox/video/init/`.
    public static let inboxInit = TikTokFakeEndpoint("inbox_init")
    /// `POST /v2/post/publish/status/fetch/`.
    public static let status = TikTokFakeEndpoint("status")
    /// `PUT {upload_url}`.
    public static let upload = TikTokFakeEndpoint("upload")
    /// Anything else.
    public static let unknown = TikTokFakeEndpoint("unknown")

    /// The name.
    public var description: String { name }
}

/// A fault the fake injects once, the next time its trigger matches.
public struct TikTokFakeFault: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case apiError(endpoint: TikTokFakeEndpoint, httpStatus: Int, code: String, message: String)
        case oauthError(httpStatus: Int, error: String, description: String)
        case chunkStatus(chunk: Int, httpStatus: Int)
        case dropChunk(chunk: Int, afterBytes: Int64)
        case slowProcessing(polls: Int)
        case failProcessing(reason: String)
        case expireUploadURL
        case consent(denied: Bool)
    }
    let kind: Kind

    /// The endpoint answers `httpStatus` with TikTok's error envelope (`creator_info` spam errors use HTTP 200).
    public static func apiError(
        on endpoint: TikTokFakeEndpoint, httpStatus: Int, code: String, message: String? = nil
    ) -> TikTokFakeFault {
        TikTokFakeFault(
            kind: .apiError(
                endpoint: endpoint, httpStatus: httpStatus, code: code,
                message: message ?? TikTokFakeFault.message(for: code)))
    }

    /// HTTP 429 `rate_limit_exceeded`.
    public static func rateLimited(on endpoint: TikTokFakeEndpoint) -> TikTokFakeFault {
        apiError(on: endpoint, httpStatus: 429, code: "rate_limit_exceeded")
    }

    /// HTTP 500 `internal_error`.
    public static func internalError(on endpoint: TikTokFakeEndpoint) -> TikTokFakeFault {
        apiError(on: endpoint, httpStatus: 500, code: "internal_error")
    }

    /// The token endpoint answers an OAuth error (`invalid_grant`, …).
    public static func oauthError(
        httpStatus: Int = 400, error: String, description: String = "the refresh token is invalid"
    ) -> TikTokFakeFault {
        TikTokFakeFault(kind: .oauthError(httpStatus: httpStatus, error: error, description: description))
    }

    /// Chunk `chunk` (0-based) is answered `httpStatus` (a 5xx by default) without being stored.
    public static func chunkFailure(chunk: Int, httpStatus: Int = 503) -> TikTokFakeFault {
        TikTokFakeFault(kind: .chunkStatus(chunk: chunk, httpStatus: httpStatus))
    }

    /// The connection drops after `afterBytes` bytes of chunk `chunk`; the partial chunk is discarded.
    public static func dropConnection(chunk: Int, afterBytes: Int64) -> TikTokFakeFault {
        TikTokFakeFault(kind: .dropChunk(chunk: chunk, afterBytes: afterBytes))
    }

    /// The next post stays processing for `polls` more status polls.
    public static func slowProcessing(polls: Int) -> TikTokFakeFault {
        TikTokFakeFault(kind: .slowProcessing(polls: polls))
    }

    /// The next post ends `FAILED` with `reason` as `fail_reason`.
    public static func failProcessing(reason: String) -> TikTokFakeFault {
        TikTokFakeFault(kind: .failProcessing(reason: reason))
    }

    /// Every `upload_url` handed out so far expires now (403 on the next chunk).
    public static let expireUploadURL = TikTokFakeFault(kind: .expireUploadURL)

    /// The next authorization is denied on the consent page: the redirect carries `error=access_denied`.
    public static let consentDenied = TikTokFakeFault(kind: .consent(denied: true))

    /// The next authorization redirects with a different `state` (a forged or stale redirect).
    public static let forgedState = TikTokFakeFault(kind: .consent(denied: false))

    /// What the fault does.
    public var description: String { "\(kind)" }

    static func message(for code: String) -> String {
        switch code {
        case "rate_limit_exceeded": "The API rate limit was exceeded. Please try again later."
        case "internal_error": "Internal error, please retry."
        case "access_token_invalid": "The access token is invalid or not found in the request."
        case "spam_risk_too_many_posts": "The daily post cap from the API is reached for the current user."
        case "spam_risk_user_banned_from_posting": "The user is banned from making new posts."
        case "reached_active_user_cap": "The daily quota for active publishing users from your client is reached."
        case "unaudited_client_can_only_post_to_private_accounts":
            "Unaudited clients can only post to a private account."
        case "url_ownership_unverified": "To use a URL as the video source, the domain or URL prefix must be verified."
        case "privacy_level_option_mismatch": "privacy_level is not among the creator's privacy_level_options."
        case "scope_not_authorized": "The user did not authorize the scope required for completing this request."
        default: code
        }
    }
}

/// One request the fake answered.
public struct TikTokFakeRequestRecord: Sendable, Equatable, CustomStringConvertible {
    /// The HTTP method.
    public var method: String
    /// Which endpoint.
    public var endpoint: TikTokFakeEndpoint
    /// The HTTP status answered (0 for a dropped connection).
    public var status: Int
    /// TikTok's `error.code` (or OAuth `error`) when it was not `ok`.
    public var errorCode: String?
    /// The publish the request was about, if any.
    public var publishID: String?
    /// The `Content-Range` of a chunk PUT.
    public var contentRange: String?

    /// One line: method, endpoint, status, error code, range.
    public var description: String {
        "\(method) \(endpoint) → \(status)" + (errorCode.map { " \($0)" } ?? "")
            + (contentRange.map { " [\($0)]" } ?? "")
    }
}

/// What the fake received for one publish: the bytes pushed in chunks, or downloaded from the pulled URL.
public struct TikTokFakeUpload: Sendable, Equatable {
    /// Bytes received (committed chunks only; a dropped partial chunk does not count).
    public var bytes: Int64
    /// Their SHA-256, lowercase hex.
    public var sha256: String
    /// Chunks stored (push) or 0 (pull).
    public var chunks: Int
}

/// A snapshot of one publish in the fake.
public struct TikTokFakePublish: Sendable, Equatable {
    /// TikTok's `publish_id`.
    public var publishID: String
    /// Whether it came through the inbox (draft) endpoint.
    public var inbox: Bool
    /// `FILE_UPLOAD` or `PULL_FROM_URL`.
    public var source: String
    /// The `post_info.privacy_level`, for direct posts.
    public var privacyLevel: String?
    /// The `post_info.title`, for direct posts.
    public var title: String?
    /// The whole `post_info` as sent, for direct posts.
    public var postInfo: [String: JSONValue]
    /// The pulled URL, for `PULL_FROM_URL`.
    public var videoURL: String?
    /// The last status reported.
    public var status: String
}
