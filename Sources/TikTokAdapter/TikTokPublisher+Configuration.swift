import Foundation
import PublishingCore

/// The `.env` keys the TikTok adapter reads (CONTRACT.md).
enum TikTokKeys {
    static let clientKey = "TIKTOK_CLIENT_KEY"
    static let clientSecret = "TIKTOK_CLIENT_SECRET"
    static let accessToken = "TIKTOK_ACCESS_TOKEN"
    static let accessTokenExpiresAt = "TIKTOK_ACCESS_TOKEN_EXPIRES_AT"
    static let refreshToken = "TIKTOK_REFRESH_TOKEN"
    static let openID = "TIKTOK_OPEN_ID"
    static let uploadMode = "TIKTOK_UPLOAD_MODE"
    static let verifiedURLPrefix = "TIKTOK_VERIFIED_URL_PREFIX"
    static let apiBase = "ATOM_TIKTOK_API_BASE"

    static let optional = [
        clientKey, clientSecret, refreshToken, accessTokenExpiresAt, openID, uploadMode, verifiedURLPrefix, apiBase,
    ]
}

extension TikTokPublisher {
    /// How atom hands TikTok the video.
    public enum UploadMode: String, Sendable, CaseIterable {
        /// `FILE_UPLOAD`: atom PUTs the bytes in chunks (works for every account).
        case push
        /// `PULL_FROM_URL`: TikTok downloads the staged URL, which must be under a verified domain or prefix.
        case pull
    }

    /// Everything the TikTok adapter is set up with, read once from the credential store.
    public struct Configuration: Sendable {
        /// `https://open.tiktokapis.com`.
        public static let productionBaseURL: URL = {
            guard let url = URL(string: "https://open.tiktokapis.com") else { preconditionFailure("literal URL") }
            return url
        }()

        /// The Content Posting API host (`ATOM_TIKTOK_API_BASE`).
        public var baseURL: URL
        /// Push the bytes or let TikTok pull the staged URL (`TIKTOK_UPLOAD_MODE`).
        public var uploadMode: UploadMode
        /// The domain or URL prefix verified in TikTok's developer portal (`TIKTOK_VERIFIED_URL_PREFIX`).
        public var verifiedURLPrefix: String?
        /// The user access token (`TIKTOK_ACCESS_TOKEN`).
        public var accessToken: String
        /// When the access token expires (`TIKTOK_ACCESS_TOKEN_EXPIRES_AT`, ISO 8601), if known.
        public var accessTokenExpiresAt: Date?
        /// The refresh token (`TIKTOK_REFRESH_TOKEN`).
        public var refreshToken: String?
        /// The app's client key (`TIKTOK_CLIENT_KEY`).
        public var clientKey: String?
        /// The app's client secret (`TIKTOK_CLIENT_SECRET`).
        public var clientSecret: String?
        /// How videos are cut into chunks.
        public var chunkRules: TikTokChunkRules
        /// The first wait between status polls; later waits grow by half up to ``maxPollInterval``.
        /// TikTok allows 30 status requests a minute per token.
        public var pollInterval: Duration
        /// The longest wait between status polls.
        public var maxPollInterval: Duration
        /// How long an `upload_url` stays valid after init (one hour, per the Direct Post reference).
        public var uploadURLLifetime: Duration
        /// How long atom keeps polling past the wait limit while TikTok is still downloading a pulled video
        /// (deleting the staged copy then would fail the post).
        public var pullDownloadTimeout: Duration
        /// Retries of chunks, status polls and init after rate limits.
        public var retryPolicy: RetryPolicy

        /// Creates a configuration with the documented defaults.
        public init(
            baseURL: URL = Configuration.productionBaseURL, uploadMode: UploadMode = .push,
            verifiedURLPrefix: String? = nil,
            accessToken: String, accessTokenExpiresAt: Date? = nil, refreshToken: String? = nil,
            clientKey: String? = nil,
            clientSecret: String? = nil, chunkRules: TikTokChunkRules = .documented,
            pollInterval: Duration = .seconds(3),
            maxPollInterval: Duration = .seconds(30), uploadURLLifetime: Duration = .seconds(3600),
            pullDownloadTimeout: Duration = .seconds(3600),
            retryPolicy: RetryPolicy = .default
        ) {
            self.baseURL = baseURL
            self.uploadMode = uploadMode
            self.verifiedURLPrefix = verifiedURLPrefix
            self.accessToken = accessToken
            self.accessTokenExpiresAt = accessTokenExpiresAt
            self.refreshToken = refreshToken
            self.clientKey = clientKey
            self.clientSecret = clientSecret
            self.chunkRules = chunkRules
            self.pollInterval = pollInterval
            self.maxPollInterval = maxPollInterval
            self.uploadURLLifetime = uploadURLLifetime
            self.pullDownloadTimeout = pullDownloadTimeout
            self.retryPolicy = retryPolicy
            Redaction.register(secret: accessToken)
            if let refreshToken { Redaction.register(secret: refreshToken) }
            if let clientSecret { Redaction.register(secret: clientSecret) }
        }

        /// Reads the configuration from `store` (environment over `.env`).
        /// - Throws: ``PublishError`` (`configuration`) naming a missing or malformed key.
        public init(store: any CredentialStore) throws {
            let reauthorize = "run `atom auth tiktok`"
            let token = try store.required(TikTokKeys.accessToken, platform: .tiktok, remediation: reauthorize)
            let baseURL =
                try UploadHostPolicy.overrideBase(
                    try store.nonEmpty(TikTokKeys.apiBase), key: TikTokKeys.apiBase, platform: .tiktok)
                ?? Configuration.productionBaseURL
            var mode = UploadMode.push
            if let raw = try store.nonEmpty(TikTokKeys.uploadMode) {
                guard let parsed = UploadMode(rawValue: raw.lowercased()) else {
                    throw PublishError(
                        .configuration, platform: .tiktok,
                        message: "\(TikTokKeys.uploadMode) must be push or pull, not \(raw)",
                        remediation: "set \(TikTokKeys.uploadMode)=push (the default) or pull")
                }
                mode = parsed
            }
            let prefix = try store.nonEmpty(TikTokKeys.verifiedURLPrefix)
            if mode == .pull, prefix == nil {
                throw PublishError(
                    .configuration, platform: .tiktok,
                    message: "\(TikTokKeys.verifiedURLPrefix) is not set (required when \(TikTokKeys.uploadMode)=pull)",
                    remediation:
                        "verify the staging domain or URL prefix in TikTok's developer portal and set \(TikTokKeys.verifiedURLPrefix), or use \(TikTokKeys.uploadMode)=push"
                )
            }
            var expiresAt: Date?
            if let raw = try store.nonEmpty(TikTokKeys.accessTokenExpiresAt) {
                guard let date = ISO8601Text.parse(raw) else {
                    throw PublishError(
                        .configuration, platform: .tiktok,
                        message: "\(TikTokKeys.accessTokenExpiresAt) is not an ISO 8601 time: \(raw)",
                        remediation: "remove the line; atom writes it again after the next refresh")
                }
                expiresAt = date
            }
            self.init(
                baseURL: baseURL, uploadMode: mode, verifiedURLPrefix: prefix, accessToken: token,
                accessTokenExpiresAt: expiresAt,
                refreshToken: try store.nonEmpty(TikTokKeys.refreshToken),
                clientKey: try store.nonEmpty(TikTokKeys.clientKey),
                clientSecret: try store.nonEmpty(TikTokKeys.clientSecret)
            )
        }

        /// Whether TikTok, by the configured verified domain or prefix, would accept pulling `url`.
        ///
        /// A value with a scheme (`https://media.example.com/atom/`) is a URL prefix: the URL must start with it.
        /// A bare domain (`example.com`) is a verified domain, which covers its subdomains.
        public func isVerified(_ url: URL) -> Bool {
            guard let prefix = verifiedURLPrefix else { return false }
            if prefix.contains("://") { return url.absoluteString.hasPrefix(prefix) }
            guard let host = url.host()?.lowercased() else { return false }
            let domain = prefix.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            return host == domain || host.hasSuffix("." + domain)
        }
    }
}
