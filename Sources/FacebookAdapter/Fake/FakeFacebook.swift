import Foundation
import PlatformKit
import Synchronization

/// A strict loopback fake of Facebook Page video publishing: Page Reels (`/{page-id}/video_reels` + rupload) and
/// Page videos (the resumable chunked `/{page-id}/videos` protocol, or `file_url`), with the video `status` phases.
///
/// It enforces what Facebook enforces (the Page token on every call, `Authorization: OAuth` on rupload, exact
/// offsets, declared sizes, the scheduling window, the Reels cap, no second finish) and answers with Graph's error
/// shapes. It keeps only a running SHA-256 of what it receives. Mount ``services`` on a ``FakeServer``: the Graph
/// service at `/graph` (shared with the Instagram fake: it answers only its Page and its videos) and the upload
/// service at `/rupload` (only `/video-upload/…` paths of its videos).
public final class FakeFacebook: Sendable {
    /// The fake's Page, token and behaviour.
    public struct Configuration: Sendable {
        /// The Page the fake hosts (the only one it answers for).
        public var pageID: String
        /// The Page's name (`GET /{page-id}?fields=name`).
        public var pageName: String
        /// The Page access token it accepts.
        public var accessToken: String
        /// When set, every Graph call must carry `appsecret_proof` = HMAC-SHA256(token, secret).
        public var appSecret: String?
        /// The chunk size the chunked `/videos` upload asks for (small values make small files take several transfers).
        public var chunkSize: Int
        /// Status reads that show a finished video still processing before it is ready.
        public var processingPolls: Int
        /// API-published Reels allowed per Page in 24 hours.
        public var reelsPerDay: Int
        /// The scheduling window: the earliest lead, and the latest for Reels and for Page videos.
        public var minimumScheduleLead: TimeInterval
        /// The latest a Reel may be scheduled (30 days, as atom assumes).
        public var maximumReelScheduleLead: TimeInterval
        /// The latest a Page video may be scheduled (75 days, the Page post window).
        public var maximumVideoScheduleLead: TimeInterval
        /// The fake's wall clock (scheduling window).
        public var now: @Sendable () -> Date

        /// Creates a configuration; the defaults are the sandbox Page and token.
        public init(
            pageID: String = "100000000000001", pageName: String = "atom sandbox Page",
            accessToken: String = "sandbox-facebook-page-access-token", appSecret: String? = nil, chunkSize: Int = 4 << 20,
            processingPolls: Int = 1, reelsPerDay: Int = 30, minimumScheduleLead: TimeInterval = 600,
            maximumReelScheduleLead: TimeInterval = 30 * 86_400, maximumVideoScheduleLead: TimeInterval = 75 * 86_400,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.pageID = pageID
            self.pageName = pageName
            self.accessToken = accessToken
            self.appSecret = appSecret
            self.chunkSize = max(1, chunkSize)
            self.processingPolls = max(0, processingPolls)
            self.reelsPerDay = reelsPerDay
            self.minimumScheduleLead = minimumScheduleLead
            self.maximumReelScheduleLead = maximumReelScheduleLead
            self.maximumVideoScheduleLead = maximumVideoScheduleLead
            self.now = now
        }
    }

    /// A Graph endpoint of the fake, for targeted faults.
    public enum Endpoint: String, Sendable {
        case page, reelsStart, reelsFinish, videoStart, videoTransfer, videoFinish, videoCreate, status
    }

    /// A Graph error to answer with.
    public struct GraphError: Sendable, Equatable {
        /// The HTTP status of the answer.
        public var httpStatus: Int = 400
        /// Graph's `code`.
        public var code: Int
        /// Graph's `error_subcode`, if any.
        public var subcode: Int?
        /// Graph's `message`.
        public var message: String
        /// Graph's `is_transient`.
        public var isTransient: Bool = false

        /// `(#4) Application request limit reached`.
        public static let rateLimited = GraphError(code: 4, message: "(#4) Application request limit reached")
        /// `(#200) Permissions error`.
        public static let permission = GraphError(httpStatus: 403, code: 200, message: "(#200) Permissions error")
        /// A transient internal error (code 2, HTTP 500).
        public static let transient = GraphError(
            httpStatus: 500, code: 2, message: "An unexpected error has occurred. Please retry your request later.", isTransient: true)
    }

    /// A fault to inject; each fires once unless said otherwise.
    public enum Fault: Sendable, Equatable {
        /// The `transfer`-th chunk transfer (1-based, over the fake's life) answers error 1363037 with offsets
        /// asking for only half the chunk.
        case transferOffsetMismatch(transfer: Int)
        /// The `transfer`-th transfer answers 503 (transient) without taking the chunk.
        case transferServerError(transfer: Int)
        /// The `transfer`-th transfer's connection drops after `afterBytes` body bytes; the chunk is not taken.
        case transferDropped(transfer: Int, afterBytes: Int)
        /// The `transfer`-th transfer is taken, but the connection drops before the answer.
        case transferAnswerLost(transfer: Int)
        /// The next byte upload to rupload drops after `afterBytes` bytes of the file (which are kept).
        case ruploadDropped(afterBytes: Int)
        /// The next rupload call answers 503 (`retriable: true`) without reading the body.
        case ruploadServerError
        /// The next video to finish fails processing with `message`.
        case processingError(message: String)
        /// The next video to finish stays processing for `polls` status reads (instead of ``Configuration/processingPolls``).
        case slowProcessing(polls: Int)
        /// The token expires: every call from now on answers code 190 (subcode 463).
        case expiredToken
        /// The next call to `endpoint` answers `error`.
        case graphError(Endpoint, GraphError)
    }

    /// What the fake holds about one video.
    public struct VideoSnapshot: Sendable, Equatable {
        /// `reel` or `video`.
        public var format: String
        /// The video id.
        public var id: String
        /// The size the client declared (`file_size`), if any.
        public var declaredSize: Int64?
        /// Bytes received, in order, and their SHA-256 (lowercase hex).
        public var bytesReceived: Int64
        /// The SHA-256 (lowercase hex) of the bytes received.
        public var sha256: String
        /// The URL it downloaded the file from (`file_url`), if any.
        public var fileURL: String?
        /// Byte uploads (rupload calls with a body) or chunk transfers received, and the offsets each started at.
        public var uploadRequests: Int
        /// The offset each byte upload or transfer started at.
        public var uploadOffsets: [Int64]
        /// How many finish calls succeeded (more than 1 would be a double publish; the fake refuses it).
        public var finishCount: Int
        /// The title sent with the finish call.
        public var title: String?
        /// The description sent with the finish call.
        public var description: String?
        /// Reels: `PUBLISHED`, `SCHEDULED` or `DRAFT`. Page videos: `PUBLISHED` or `SCHEDULED` from `published`.
        public var videoState: String?
        /// `scheduled_publish_time` (Unix seconds), if scheduled.
        public var scheduledPublishTime: Int64?
        /// Status reads.
        public var statusReads: Int
        /// The preferred thumbnail uploaded to `/{video-id}/thumbnails`, if any.
        public var thumbnail: FakeImage? = nil
    }

    /// One request the fake answered.
    public struct LoggedRequest: Sendable, Equatable {
        /// The HTTP method.
        public var method: String
        /// The path after the mount prefix.
        public var path: String
        /// The raw query string.
        public var query: String
        /// The `Authorization` scheme used (`Bearer`, `OAuth`), never the token.
        public var authorizationScheme: String?
        /// Whether the token came as an `access_token` query or form parameter.
        public var tokenInParameters: Bool
    }

    /// The configuration.
    public let configuration: Configuration
    let state: Mutex<FakeFacebookState>

    /// Creates a fake.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.state = Mutex(FakeFacebookState())
    }

    /// The services to mount: Graph at `/graph`, rupload at `/rupload`.
    public var services: [any FakeService] { [FakeFacebookGraphService(fake: self), FakeFacebookRuploadService(fake: self)] }

    /// The `.env` settings that point atom at this fake.
    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        var values = [
            "FACEBOOK_PAGE_ID": configuration.pageID,
            "FACEBOOK_PAGE_ACCESS_TOKEN": configuration.accessToken,
            "ATOM_GRAPH_API_BASE": server.baseURL(for: FakeFacebookGraphService.mount).absoluteString,
            "ATOM_RUPLOAD_BASE": server.baseURL(for: FakeFacebookRuploadService.mount).absoluteString,
        ]
        if let secret = configuration.appSecret {
            values["FACEBOOK_APP_SECRET"] = secret
            values["FACEBOOK_APPSECRET_PROOF"] = "1"
        }
        return values
    }

    // MARK: Faults

    /// Injects a fault.
    public func inject(_ fault: Fault) {
        state.withLock { state in
            if fault == .expiredToken { state.tokenExpired = true } else { state.faults.append(fault) }
        }
    }

    /// Sets how many Reels the Page published through the API in the current 24 hours.
    public func setReelsPublishedInWindow(_ count: Int) {
        state.withLock { $0.reelsInWindow = count }
    }

    // MARK: Inspection

    /// The video with `id`, if the fake made it.
    public func video(_ id: String) -> VideoSnapshot? {
        state.withLock { $0.videos[id]?.snapshot }
    }

    /// Every video, in creation order.
    public var videos: [VideoSnapshot] {
        state.withLock { state in state.order.compactMap { state.videos[$0]?.snapshot } }
    }

    /// Every request answered, in order.
    public var requests: [LoggedRequest] {
        state.withLock { $0.log }
    }

    /// Chunk transfers received over the fake's life.
    public var transferCount: Int { state.withLock { $0.transferCount } }
}
