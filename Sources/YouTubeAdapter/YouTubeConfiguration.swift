import Foundation
import PublishingCore

extension YouTubePublisher {
    /// Everything the YouTube adapter is set up with, read once from the credential store.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The chunk granularity of the resumable protocol: every chunk but the last is a multiple of it [YT-RU].
        public static let chunkGranularity = 256 * 1024
        /// 8 MiB (32 × 256 KiB): Google's suggested order of magnitude, a bounded buffer per request.
        public static let defaultChunkSize = 8 << 20
        /// `https://www.googleapis.com`.
        public static let defaultBaseURL = fixedURL("https://www.googleapis.com")
        /// `https://oauth2.googleapis.com/token`.
        public static let defaultTokenURL = fixedURL("https://oauth2.googleapis.com/token")

        private static func fixedURL(_ text: StaticString) -> URL {
            guard let url = URL(string: "\(text)") else { preconditionFailure("invalid built-in URL \(text)") }
            return url
        }

        /// The API host; `/upload/youtube/v3/…` and `/youtube/v3/…` are appended (`ATOM_YOUTUBE_API_BASE`).
        public var baseURL: URL = Self.defaultBaseURL
        /// The OAuth token endpoint (`ATOM_GOOGLE_TOKEN_URL`).
        public var tokenURL: URL = Self.defaultTokenURL
        /// The OAuth client id (`YOUTUBE_CLIENT_ID`).
        public var clientID: String
        /// The OAuth client secret (`YOUTUBE_CLIENT_SECRET`).
        public var clientSecret: String
        /// The long-lived refresh token (`YOUTUBE_REFRESH_TOKEN`).
        public var refreshToken: String
        /// The cached access token (`YOUTUBE_ACCESS_TOKEN` + `YOUTUBE_ACCESS_TOKEN_EXPIRES_AT`), if any.
        public var cachedAccessToken: AccessToken?
        /// Bytes per upload request; a multiple of 256 KiB (`ATOM_YOUTUBE_CHUNK_SIZE`).
        public var chunkSize: Int = Self.defaultChunkSize
        /// Time between `videos.list` polls while YouTube processes the video.
        public var pollInterval: Duration = .seconds(10)
        /// Backoff for retryable failures of one step (a chunk, a poll, the session start).
        public var retryPolicy = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(1), maxDelay: .seconds(64))
        /// How many times an expired session is replaced by a new one within one publish.
        public var maxSessionRestarts = 2

        /// The chunk size actually used: rounded down to a multiple of 256 KiB, at least 256 KiB.
        var effectiveChunkSize: Int {
            max(Self.chunkGranularity, chunkSize / Self.chunkGranularity * Self.chunkGranularity)
        }

        /// Never shows a secret.
        public var description: String {
            "YouTubePublisher.Configuration(baseURL: \(baseURL), tokenURL: \(Redaction.displayURL(tokenURL)), "
                + "clientID: \(clientID), clientSecret: \(Redaction.mask), refreshToken: \(Redaction.mask), chunkSize: \(chunkSize))"
        }
    }
}

extension YouTubePublisher.Configuration {
    /// Keys without which YouTube cannot publish.
    public static let requiredKeys = ["YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN"]
    /// Keys read when present.
    public static let optionalKeys = [
        "YOUTUBE_ACCESS_TOKEN", "YOUTUBE_ACCESS_TOKEN_EXPIRES_AT", "ATOM_YOUTUBE_API_BASE", "ATOM_GOOGLE_TOKEN_URL",
        "ATOM_YOUTUBE_CHUNK_SIZE",
    ]

    /// Reads the configuration from `store` (environment over `.env`).
    /// - Throws: ``PublishError`` (`configuration`) naming a missing or malformed key.
    public init(store: any CredentialStore) throws {
        let platform = PlatformID.youtube
        func required(_ key: String) throws -> String {
            try store.required(
                key, platform: platform, remediation: "run `atom auth youtube` (it writes \(key) to the .env file)")
        }
        func url(_ key: String, default fallback: URL) throws -> URL {
            try UploadHostPolicy.overrideBase(try store.nonEmpty(key), key: key, platform: platform) ?? fallback
        }
        var chunkSize = Self.defaultChunkSize
        if let text = try store.nonEmpty("ATOM_YOUTUBE_CHUNK_SIZE") {
            guard let value = Int(text), value > 0, value % Self.chunkGranularity == 0 else {
                throw PublishError(
                    .configuration, platform: platform,
                    message: "ATOM_YOUTUBE_CHUNK_SIZE must be a positive multiple of 262144 bytes",
                    remediation: "e.g. ATOM_YOUTUBE_CHUNK_SIZE=8388608 (8 MiB)")
            }
            chunkSize = value
        }
        var cached: AccessToken?
        if let token = try store.nonEmpty("YOUTUBE_ACCESS_TOKEN") {
            // A cached token without a readable expiry is treated as expired: refreshing costs one call, a 401 on a chunk costs the chunk.
            let expiry =
                try store.nonEmpty("YOUTUBE_ACCESS_TOKEN_EXPIRES_AT").flatMap { try? Date($0, strategy: .iso8601) }
                ?? .distantPast
            cached = AccessToken(value: token, expiresAt: expiry)
        }
        self.init(
            baseURL: try url("ATOM_YOUTUBE_API_BASE", default: Self.defaultBaseURL),
            tokenURL: try url("ATOM_GOOGLE_TOKEN_URL", default: Self.defaultTokenURL),
            clientID: try required("YOUTUBE_CLIENT_ID"),
            clientSecret: try required("YOUTUBE_CLIENT_SECRET"),
            refreshToken: try required("YOUTUBE_REFRESH_TOKEN"),
            cachedAccessToken: cached,
            chunkSize: chunkSize
        )
    }
}

extension PlatformID {
    /// YouTube (Data API v3).
    public static let youtube = PlatformID("youtube")
}

extension PublisherFactory {
    /// Registers YouTube: builds a ``YouTubePublisher`` from the credential store.
    public static func youtube() -> PublisherFactory {
        PublisherFactory(
            platform: .youtube, displayName: YouTubePublisher.displayName,
            requiredKeys: YouTubePublisher.Configuration.requiredKeys,
            optionalKeys: YouTubePublisher.Configuration.optionalKeys
        ) { environment in
            YouTubePublisher(
                configuration: try YouTubePublisher.Configuration(store: environment.credentials),
                transport: environment.transport, credentials: environment.credentials,
                logger: environment.logger, now: environment.now
            )
        }
    }
}
