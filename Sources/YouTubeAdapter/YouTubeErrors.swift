import Foundation
import HTTPTypes
import PublishingCore

/// Google's JSON error document: `{"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}` [YT-ERR].
struct GoogleAPIError: Decodable, Sendable, Equatable {
    struct Item: Decodable, Sendable, Equatable {
        var domain: String?
        var reason: String?
        var message: String?
    }

    var code: Int?
    var message: String?
    var errors: [Item]?
    var status: String?

    /// The first `errors[].reason`, the code Google asks clients to branch on.
    var reason: String? { errors?.first?.reason }

    private struct Envelope: Decodable { var error: GoogleAPIError? }

    /// Parses an error body, or `nil` when it is not Google's API error shape.
    static func parse(_ bytes: [UInt8]) -> GoogleAPIError? {
        try? JSONDecoder().decode(Envelope.self, from: Data(bytes)).error
    }
}

/// The OAuth token endpoint's error document: `{"error": "invalid_grant", "error_description": "…"}` (RFC 6749 §5.2).
struct GoogleOAuthError: Decodable, Sendable, Equatable {
    var error: String
    var errorDescription: String?

    static func parse(_ bytes: [UInt8]) -> GoogleOAuthError? {
        try? SnakeCaseJSON.decode(GoogleOAuthError.self, from: bytes)
    }
}

/// Failures inside the adapter that are not yet a ``PublishError``; mapped at the boundary.
enum YouTubeFailure: Error, Sendable {
    /// The resumable session is gone (404/410): start a new one.
    case sessionExpired(status: Int)
    /// YouTube answered something the protocol does not allow.
    case protocolViolation(operationID: String, detail: String)
}

extension YouTubeFailure {
    func publishError(platform: PlatformID) -> PublishError {
        switch self {
        case .sessionExpired(let status):
            PublishError(
                .notFound, platform: platform, operationID: "youtube.upload.chunk", httpStatus: status,
                message: "the resumable upload session expired",
                remediation: "run the same `atom post` again; a new upload session is started")
        case .protocolViolation(let operationID, let detail):
            PublishError(
                .protocolViolation, platform: platform, operationID: operationID,
                message: "unexpected answer from YouTube: \(detail)")
        }
    }
}

/// Maps Google's errors to ``PublishError``, with what the user should do.
struct YouTubeErrorMapper: Sendable {
    static let reauthorize = "run `atom auth youtube`"
    /// Statuses after which a resumable upload is resumed [YT-RU].
    static let resumableStatuses: Set<Int> = [500, 502, 503, 504]

    var platform: PlatformID
    var now: @Sendable () -> Date

    /// Metadata reasons of `videos.insert` and what to fix for each [YT-ERR].
    static let metadataRemediation: [String: String] = [
        "invalidTitle": "fix the title: at most 100 characters, not empty, no '<' or '>'",
        "invalidDescription": "fix the description: at most 5,000 UTF-8 bytes, no '<' or '>'",
        "invalidTags":
            "fix the tags: at most 500 characters in total (commas count; a tag with a space counts its quotes)",
        "invalidCategoryId": "use a valid category_id (videoCategories.list; \"22\" is People & Blogs)",
        "invalidPublishAt": "the schedule time must be in the future and the video private until then",
        "invalidVideoMetadata": "the video metadata was refused; check title, description, tags and privacy",
        "invalidFilename": "rename the file",
        "defaultLanguageNotSet": "set a default language",
        "mediaBodyRequired": "the upload carried no video; post again",
        "invalidRecordingDetails": "fix the recording details",
        "invalidVideoGameRating": "fix the video game rating",
        "forbiddenPrivacySetting": "choose another privacy setting",
        "forbiddenLicenseSetting": "choose another license",
    ]

    /// Builds the error for a failed response.
    func map(status: Int, body: [UInt8], headers: HTTPFields, operationID: String) -> PublishError {
        let retryAfter = headers.retryAfter(now: now())
        guard let error = GoogleAPIError.parse(body) else {
            let text = Redaction.outsideText(bytes: body)
            let message = "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
            switch status {
            case 401:
                return make(
                    .authentication, status, nil, message, "the access token was refused — \(Self.reauthorize)",
                    operationID: operationID)
            case 429:
                return make(
                    .rateLimited, status, nil, message, "rate limited; atom waits and retries", retryable: true,
                    after: retryAfter, operationID: operationID)
            case 500...599:
                return make(
                    .server, status, nil, message, "a temporary YouTube error; run the same command again",
                    retryable: true, after: retryAfter, operationID: operationID)
            default:
                return make(.protocolViolation, status, nil, message, nil, operationID: operationID)
            }
        }
        return map(error, status: status, retryAfter: retryAfter, operationID: operationID)
    }

    /// Classifies a parsed Google error.
    func map(_ error: GoogleAPIError, status: Int, retryAfter: Duration?, operationID: String) -> PublishError {
        let reason = error.reason
        let message = Redaction.outsideText(error.message ?? error.errors?.first?.message ?? "YouTube refused the request")
        func make(_ code: PublishError.Code, _ remediation: String?, retryable: Bool = false, after: Duration? = nil)
            -> PublishError
        {
            self.make(
                code, status, reason, message, remediation, retryable: retryable, after: after, operationID: operationID
            )
        }
        switch reason {
        case "quotaExceeded", "dailyLimitExceeded":
            return make(
                .quotaExceeded,
                "the Google project's daily YouTube API quota is spent; it resets at midnight Pacific Time "
                    + "(or ask for more quota in the Google Cloud console)")
        case "uploadLimitExceeded":
            return make(.quotaExceeded, "the channel reached YouTube's upload limit; try again in 24 hours")
        case "rateLimitExceeded", "userRateLimitExceeded":
            return make(.rateLimited, "rate limited; atom waits and retries", retryable: true, after: retryAfter)
        case "authError", "invalidCredentials", "unauthorized":
            return make(.authentication, "the access token was refused — \(Self.reauthorize)")
        case "insufficientPermissions", "forbidden", "accountDelegationForbidden":
            return make(
                .permissionDenied,
                "the token cannot upload to this channel; authorise the youtube.upload scope with the "
                    + "channel's Google account — \(Self.reauthorize)")
        case "authenticatedUserNotChannel", "youtubeSignupRequired":
            return make(
                .permissionDenied, "the Google account has no YouTube channel; create one, then \(Self.reauthorize)")
        case "authenticatedUserAccountClosed", "authenticatedUserAccountSuspended":
            return make(.rejected, "the YouTube account is closed or suspended")
        case "backendError", "internalError":
            return make(
                .server, "a temporary YouTube error; run the same command again", retryable: true, after: retryAfter)
        case "videoNotFound", "notFound":
            return make(.notFound, "the video no longer exists on YouTube")
        case let reason? where Self.metadataRemediation[reason] != nil:
            return make(.invalidInput, Self.metadataRemediation[reason])
        default:
            switch status {
            case 401: return make(.authentication, "the access token was refused — \(Self.reauthorize)")
            case 429:
                return make(.rateLimited, "rate limited; atom waits and retries", retryable: true, after: retryAfter)
            case 500...599: return make(.server, "a temporary YouTube error", retryable: true, after: retryAfter)
            case 403: return make(.permissionDenied, nil)
            case 404: return make(.notFound, nil)
            case 400: return make(.invalidInput, nil)
            default: return make(.rejected, nil)
            }
        }
    }

    /// Maps a token-endpoint failure.
    func mapToken(status: Int, body: [UInt8], operationID: String) -> PublishError {
        let testingNote =
            "refresh tokens of Google apps whose OAuth consent screen is in \"Testing\" status expire after 7 days "
            + "(publish the app to \"In production\" to keep them)"
        guard let error = GoogleOAuthError.parse(body) else {
            if status >= 500 || status == 429 {
                return make(
                    .server, status, nil, "the Google token endpoint answered HTTP \(status)",
                    "run the same command again",
                    retryable: true, operationID: operationID)
            }
            return make(
                .protocolViolation, status, nil, "the Google token endpoint answered HTTP \(status)", nil,
                operationID: operationID)
        }
        let description = error.errorDescription ?? error.error
        switch error.error {
        case "invalid_grant":
            return make(
                .authentication, status, error.error,
                "the YouTube refresh token is expired or revoked (\(description))",
                "\(Self.reauthorize); \(testingNote)", operationID: operationID)
        case "invalid_client", "unauthorized_client":
            return make(
                .configuration, status, error.error, "Google refused the OAuth client (\(description))",
                "check YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET, then \(Self.reauthorize)", operationID: operationID)
        case "invalid_scope", "access_denied":
            return make(
                .permissionDenied, status, error.error, "Google refused the token (\(description))", Self.reauthorize,
                operationID: operationID)
        default:
            let retryable = status >= 500
            return make(
                retryable ? .server : .authentication, status, error.error,
                "Google token refresh failed (\(description))",
                retryable ? "run the same command again" : Self.reauthorize, retryable: retryable,
                operationID: operationID)
        }
    }

    private func make(
        _ code: PublishError.Code, _ status: Int, _ platformCode: String?, _ message: String, _ remediation: String?,
        retryable: Bool = false, after: Duration? = nil, operationID: String
    ) -> PublishError {
        PublishError(
            code, platform: platform, operationID: operationID, httpStatus: status, platformCode: platformCode,
            message: message, remediation: remediation, retryable: retryable, retryAfter: after)
    }
}
