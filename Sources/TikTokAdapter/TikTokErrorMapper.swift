import Foundation
import HTTPTypes
import PublishingCore

/// Parse and protocol failures inside the adapter, mapped to ``PublishError`` at its boundary.
enum TikTokProtocolError: Error, Sendable {
    /// A success answer without the expected `data`.
    case missingData(operationID: String, status: Int)
    /// A body that is not the JSON TikTok documents.
    case undecodable(operationID: String, status: Int, snippet: String)
    /// An upload answer atom cannot place (no usable `Content-Range`).
    case uploadOutOfStep(status: Int, detail: String)

    var publishError: PublishError {
        switch self {
        case .missingData(let operationID, let status):
            PublishError(
                .protocolViolation, platform: .tiktok, operationID: operationID, httpStatus: status,
                message: "TikTok answered without data")
        case .undecodable(let operationID, let status, let snippet):
            PublishError(
                .protocolViolation, platform: .tiktok, operationID: operationID, httpStatus: status,
                message: "TikTok answered something atom does not understand: \(snippet)", retryable: status >= 500)
        case .uploadOutOfStep(let status, let detail):
            PublishError(
                .conflict, platform: .tiktok, operationID: "tiktok.upload.chunk", httpStatus: status,
                message: "TikTok's upload is out of step with atom's: \(detail)",
                remediation: "run `atom post` again to start a new upload")
        }
    }
}

/// Maps TikTok's `error.code` / `message` / `log_id`, OAuth errors and `fail_reason`s to ``PublishError``.
enum TikTokErrorMapper {
    static let reauthorize = "run `atom auth tiktok`"

    /// The error for an API answer whose `error.code` is not `ok` (whatever its HTTP status: `creator_info`
    /// reports spam limits with HTTP 200).
    static func map(
        _ error: TikTokAPIError, status: Int, headers: HTTPFields, now: Date, operationID: String
    ) -> PublishError {
        let message = Redaction.outsideText(error.message.flatMap { $0.isEmpty ? nil : $0 } ?? error.code)
        func make(
            _ kind: PublishError.Code, _ remediation: String?, retryable: Bool = false, after: Duration? = nil
        ) -> PublishError {
            PublishError(
                kind, platform: .tiktok, operationID: operationID, httpStatus: status, platformCode: error.code,
                message: message,
                remediation: remediation, retryable: retryable, retryAfter: after, diagnosticID: error.logID)
        }
        switch error.code {
        case "access_token_invalid":
            return make(.authentication, "the TikTok access token is invalid or expired — \(reauthorize)")
        case "scope_not_authorized", "scope_permission_missed":
            return make(
                .permissionDenied,
                "the token lacks the video.publish / video.upload scope — \(reauthorize) and grant it")
        case "rate_limit_exceeded":
            return make(
                .rateLimited, "TikTok's per-minute limit is reached; atom waits and retries", retryable: true,
                after: headers.retryAfter(now: now))
        case "spam_risk_too_many_posts":
            return make(.quotaExceeded, "this account reached TikTok's daily cap of API posts; try again tomorrow")
        case "spam_risk_too_many_pending_share":
            return make(
                .quotaExceeded,
                "five drafts are waiting in the TikTok inbox; post or delete them in the TikTok app, then try again")
        case "spam_risk_user_banned_from_posting":
            return make(
                .rejected, "TikTok bars this account from posting through the API; check the account in the TikTok app")
        case "reached_active_user_cap":
            return make(
                .quotaExceeded, "the app reached TikTok's daily cap of active posting users; try again tomorrow")
        case let code where code.hasPrefix("spam_risk"):
            return make(.rejected, "TikTok flagged the post as a spam risk; change the caption or try again later")
        case "unaudited_client_can_only_post_to_private_accounts":
            return make(
                .permissionDenied,
                "an unaudited TikTok app can only post SELF_ONLY: use --privacy private (platforms.tiktok.privacy: SELF_ONLY) or have TikTok audit the app"
            )
        case "privacy_level_option_mismatch":
            return make(
                .invalidInput,
                "choose one of the creator's privacy options (`atom validate` lists them) in platforms.tiktok.privacy")
        case "url_ownership_unverified":
            return make(
                .configuration,
                "verify the staging domain or URL prefix in TikTok's developer portal, set TIKTOK_VERIFIED_URL_PREFIX to it, or use TIKTOK_UPLOAD_MODE=push"
            )
        case "invalid_param", "invalid_params":
            return make(.invalidInput, "TikTok refused a parameter (see the message); fix the post's settings")
        case "invalid_file_upload", "file_format_check_failed":
            return make(.unsupportedMedia, "re-encode the video as MP4 (H.264/AAC)")
        case "internal_error":
            return make(.server, "a temporary TikTok error; run the same command again", retryable: true)
        default:
            if status == 429 { return make(.rateLimited, nil, retryable: true, after: headers.retryAfter(now: now)) }
            if status >= 500 {
                return make(.server, "a temporary TikTok error; run the same command again", retryable: true)
            }
            if status == 401 { return make(.authentication, reauthorize) }
            if status == 403 { return make(.permissionDenied, nil) }
            return make(.rejected, nil)
        }
    }

    /// The error for a failed answer that has no TikTok error object.
    static func map(status: Int, body: [UInt8], headers: HTTPFields, now: Date, operationID: String) -> PublishError {
        let text = Redaction.outsideText(bytes: body)
        let detail = "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
        switch status {
        case 429:
            return PublishError(
                .rateLimited, platform: .tiktok, operationID: operationID, httpStatus: status, message: detail,
                retryable: true, retryAfter: headers.retryAfter(now: now))
        case 500...:
            return PublishError(
                .server, platform: .tiktok, operationID: operationID, httpStatus: status, message: detail,
                retryable: true)
        case 401:
            return PublishError(
                .authentication, platform: .tiktok, operationID: operationID, httpStatus: status, message: detail,
                remediation: reauthorize)
        default:
            return PublishError(
                .protocolViolation, platform: .tiktok, operationID: operationID, httpStatus: status, message: detail)
        }
    }

    /// The error for a token-endpoint failure (`error`, `error_description`, `log_id`).
    static func mapOAuth(_ response: TikTokTokenResponse?, status: Int, operationID: String) -> PublishError {
        let code = response?.error ?? "http_\(status)"
        let message = Redaction.outsideText(
            response?.errorDescription.flatMap { $0.isEmpty ? nil : $0 } ?? "token refresh failed (\(code))")
        func make(_ kind: PublishError.Code, _ remediation: String?, retryable: Bool = false) -> PublishError {
            PublishError(
                kind, platform: .tiktok, operationID: operationID, httpStatus: status, platformCode: code,
                message: message,
                remediation: remediation, retryable: retryable, diagnosticID: response?.logID)
        }
        switch code {
        case "invalid_grant":
            return make(.authentication, "the TikTok refresh token is expired or revoked — \(reauthorize)")
        case "invalid_client", "unauthorized_client":
            return make(.configuration, "check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET, then \(reauthorize)")
        default:
            if status == 429 { return make(.rateLimited, nil, retryable: true) }
            if status >= 500 {
                return make(.server, "a temporary TikTok error; run the same command again", retryable: true)
            }
            return make(.authentication, reauthorize)
        }
    }

    /// The error for a post that ended `FAILED` with `fail_reason`.
    static func mapFailure(reason: String?, publishID: String) -> PublishError {
        let reason = Redaction.outsideText(reason.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown", limit: 64)
        func make(_ kind: PublishError.Code, _ remediation: String?, retryable: Bool = false) -> PublishError {
            PublishError(
                kind, platform: .tiktok, operationID: "tiktok.status", platformCode: reason,
                message: "TikTok could not publish the video: \(reason) (publish_id \(publishID))",
                remediation: remediation, retryable: retryable)
        }
        switch reason {
        case "file_format_check_failed":
            return make(.unsupportedMedia, "re-encode the video as MP4 with H.264 video")
        case "duration_check_failed":
            return make(.unsupportedMedia, "the duration is outside what this creator may post; trim the video")
        case "frame_rate_check_failed":
            return make(.unsupportedMedia, "TikTok takes 23 to 60 fps; re-encode the video")
        case "picture_size_check_failed":
            return make(.unsupportedMedia, "TikTok takes 360 to 4096 pixels per side; resize the video")
        case "internal":
            return make(.processingFailed, "a temporary TikTok error; run the same command again", retryable: true)
        case "video_pull_failed":
            return make(
                .processingFailed,
                "TikTok could not download the staged URL (HTTPS, no redirects, verified prefix); run again or use TIKTOK_UPLOAD_MODE=push",
                retryable: true)
        case "publish_cancelled":
            return make(.rejected, "the post was cancelled")
        case "auth_removed":
            return make(.authentication, "the account removed atom's access — \(reauthorize)")
        case "spam_risk_too_many_posts":
            return make(.quotaExceeded, "this account reached TikTok's daily cap of API posts; try again tomorrow")
        case "spam_risk_user_banned_from_posting":
            return make(.rejected, "TikTok bars this account from posting through the API")
        case let code where code.hasPrefix("spam_risk"):
            return make(.rejected, "TikTok flagged the post as a spam risk; do not retry it as is")
        default:
            return make(.processingFailed, nil)
        }
    }
}
