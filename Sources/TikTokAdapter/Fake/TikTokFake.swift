import Foundation
import PlatformKit
import PublishingCore

/// A strict loopback fake of TikTok's Content Posting API and token endpoint, mounted at `/tiktok`.
///
/// It enforces what the real API documents: bearer auth, the JSON fields and their types, the creator's privacy
/// options, an unaudited app's SELF_ONLY rule, the 2200 UTF-16 unit title limit, the `FILE_UPLOAD` chunk rules
/// (sizes, count, `Content-Range` in order, `Content-Type`), the hour an `upload_url` lives, and the verified URL
/// prefix of `PULL_FROM_URL` (it then downloads the URL itself and hashes it). Upload URLs it hands out are
/// absolute, under its own mount (`…/tiktok/upload/video/?upload_id=…&upload_token=…`).
///
/// Faults are injected with ``TikTokFakeState/inject(_:)``; what arrived is inspected through ``state``.
public struct TikTokFake: FakeService {
    /// The fake's settings; by default sandbox credentials and the documented chunk rules.
    public struct Configuration: Sendable {
        /// The access token it accepts at first.
        public var accessToken: String = "sandbox-tiktok-access-token"
        /// The refresh token it accepts at first (rotated on every refresh).
        public var refreshToken: String = "sandbox-tiktok-refresh-token"
        /// The app's client key the token endpoint checks.
        public var clientKey: String = "sandbox-tiktok-client-key"
        /// The app's client secret the token endpoint checks.
        public var clientSecret: String = "sandbox-tiktok-client-secret"
        /// The `open_id` it reports.
        public var openID: String = "sandbox-tiktok-open-id"
        /// `expires_in` of issued access tokens, in seconds.
        public var accessTokenLifetime: Int = 86_400
        /// The authorised creator.
        public var creator: Creator = Creator()
        /// Whether the app passed TikTok's audit (unaudited apps may only post SELF_ONLY).
        public var audited: Bool = true
        /// The chunk rules it enforces.
        public var chunkRules: ChunkRules = .documented
        /// How long an `upload_url` stays valid.
        public var uploadURLLifetime: TimeInterval = 3600
        /// Status polls a post stays processing after TikTok has all its bytes.
        public var processingPolls: Int = 1
        /// Domains (`example.com`) or URL prefixes (`http://127.0.0.1:8080/files/`) verified for `PULL_FROM_URL`.
        public var verifiedURLPrefixes: [String] = []
        /// The authorisation code the sandbox's authorize page hands out and the token endpoint accepts.
        public var authorizationCode: String = "sandbox-tiktok-auth-code"
        /// The fake's wall clock (upload URL expiry).
        public var now: @Sendable () -> Date = { Date() }
        /// A base to put in `upload_url` instead of the fake's own (`nil`): a host that is not TikTok's, to which a
        /// client must send neither bytes nor token.
        public var uploadURLBase: String? = nil
    }

    /// What `creator_info/query` reports; by default a public account that may post 10-minute videos.
    public struct Creator: Sendable {
        /// `creator_username`.
        public var username: String = "sandbox.creator"
        /// `creator_nickname`.
        public var nickname: String = "Sandbox Creator"
        /// `privacy_level_options` (a private account has FOLLOWER_OF_CREATOR instead of PUBLIC_TO_EVERYONE).
        public var privacyLevelOptions: [String] = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        /// `comment_disabled`: the creator turned comments off.
        public var commentDisabled: Bool = false
        /// `duet_disabled`.
        public var duetDisabled: Bool = false
        /// `stitch_disabled`.
        public var stitchDisabled: Bool = false
        /// `max_video_post_duration_sec`.
        public var maxVideoPostDurationSec: Int = 600
    }

    /// The chunk rules the fake enforces (Media Transfer Guide), with the strictest reading of "MB" by default.
    public struct ChunkRules: Sendable, Equatable {
        /// The smallest chunk, except a whole video under it.
        public var minChunkSize: Int64
        /// The largest `chunk_size`, and the largest video sent whole.
        public var maxChunkSize: Int64
        /// The largest final chunk.
        public var maxFinalChunkSize: Int64
        /// The most chunks.
        public var maxChunkCount: Int64
        /// The largest video for which a multi-chunk init is refused with "The chunk size is invalid" (`nil`: none).
        ///
        /// Real TikTok has done so since about 2026-08-09 for videos up to 64,000,000 bytes, while the same file
        /// as one chunk goes through (DayMoonDevelopment/post-for-me issue #327).
        public var multiChunkRefusedUpTo: Int64?

        /// 5 MiB … 64,000,000 bytes per chunk, a final chunk up to 128,000,000 bytes, 1…1000 chunks; a video of
        /// at most 64,000,000 bytes only as one chunk (TikTok's behaviour since 2026-08).
        public static let documented = ChunkRules(
            minChunkSize: 5 * 1024 * 1024, maxChunkSize: 64_000_000, maxFinalChunkSize: 128_000_000, maxChunkCount: 1000,
            multiChunkRefusedUpTo: 64_000_000
        )

        /// TikTok's words when it refuses a multi-chunk plan for a video it would take whole.
        public static let chunkSizeInvalid = "The chunk size is invalid"

        /// Why `video_size`/`chunk_size`/`total_chunk_count` break the rules, or `nil`.
        public func violation(videoSize: Int64, chunkSize: Int64, chunkCount: Int64) -> String? {
            guard videoSize > 0, chunkSize > 0 else { return "video_size and chunk_size must be positive" }
            if chunkCount > 1, let limit = multiChunkRefusedUpTo, videoSize <= limit {
                return Self.chunkSizeInvalid
            }
            guard chunkCount >= 1, chunkCount <= maxChunkCount else {
                return "total_chunk_count must be between 1 and \(maxChunkCount)"
            }
            guard chunkCount == videoSize / chunkSize else {
                return "total_chunk_count must be video_size / chunk_size rounded down (\(videoSize / chunkSize))"
            }
            if chunkCount == 1 {
                if videoSize > maxChunkSize {
                    return "a video over \(maxChunkSize) bytes must be uploaded in several chunks"
                }
                if chunkSize != videoSize, chunkSize < minChunkSize || chunkSize > maxChunkSize {
                    return "chunk_size must be the video size or between \(minChunkSize) and \(maxChunkSize)"
                }
                return nil
            }
            if chunkSize < minChunkSize { return "chunk_size must be at least \(minChunkSize) bytes" }
            if chunkSize > maxChunkSize { return "chunk_size must be at most \(maxChunkSize) bytes" }
            let last = videoSize - (chunkCount - 1) * chunkSize
            if last > maxFinalChunkSize {
                return "the final chunk (\(last) bytes) must be at most \(maxFinalChunkSize) bytes"
            }
            return nil
        }
    }

    /// Where the fake is mounted (`/tiktok`).
    public let mountPath: String
    /// The fake's state: fault injection and inspection.
    public let state: TikTokFakeState

    /// Creates the fake with the sandbox's settings.
    public init(mountPath: String = "/tiktok") { self.init(Configuration(), mountPath: mountPath) }

    /// Creates the fake with other settings (the sandbox's plug-in and the adapter's tests).
    init(_ configuration: Configuration, mountPath: String = "/tiktok") {
        self.mountPath = mountPath
        self.state = TikTokFakeState(configuration: configuration)
    }

    /// Answers every request under the mount (unknown paths get TikTok's error envelope with 404).
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let endpoint = Self.endpoint(method: request.method, path: request.path)
        let (response, record) = try await answer(request, endpoint: endpoint)
        await state.log(record)
        return response
    }

    /// The API base, the sandbox authorize page and the credentials this fake accepts.
    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        let configuration = state.configuration
        var environment = [
            "ATOM_TIKTOK_API_BASE": server.baseURL(for: mountPath).absoluteString,
            "ATOM_TIKTOK_AUTH_URL": server.baseURL(for: mountPath).absoluteString + "/v2/auth/authorize/",
            "TIKTOK_CLIENT_KEY": configuration.clientKey,
            "TIKTOK_CLIENT_SECRET": configuration.clientSecret,
            "TIKTOK_ACCESS_TOKEN": configuration.accessToken,
            "TIKTOK_REFRESH_TOKEN": configuration.refreshToken,
            "TIKTOK_OPEN_ID": configuration.openID,
        ]
        if let prefix = configuration.verifiedURLPrefixes.first { environment["TIKTOK_VERIFIED_URL_PREFIX"] = prefix }
        return environment
    }

    static func endpoint(method: String, path: String) -> TikTokFakeEndpoint {
        switch (method, path) {
        case ("POST", "/v2/oauth/token/"): .token
        case ("GET", "/v2/auth/authorize/"): .authorize
        case ("POST", "/v2/post/publish/creator_info/query/"): .creatorInfo
        case ("POST", "/v2/post/publish/video/init/"): .directInit
        case ("POST", "/v2/post/publish/inbox/video/init/"): .inboxInit
        case ("POST", "/v2/post/publish/status/fetch/"): .status
        case ("PUT", "/upload/video/"), ("PUT", "/upload/video"): .upload
        default: .unknown
        }
    }
}
