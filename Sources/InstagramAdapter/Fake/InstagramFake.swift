import Foundation
import PlatformKit
import PublishingCore

/// A strict loopback fake of Instagram's content-publishing API: the Graph API on both hosts (Instagram
/// Login, mounted at `/instagram`, and Facebook Login, at the shared `/graph`), the rupload host (shared
/// `/rupload`, only `/ig-api-upload/…`) and `refresh_access_token`.
///
/// It downloads `video_url` itself (hashing the bytes), enforces auth, fields and limits, and answers with
/// Meta's error shapes. Faults are injected with ``inject(_:)``; what it received is open to inspection.
///
/// ```swift
/// let fake = InstagramFake()
/// try await FakeServer.run(services: fake.services) { server in
///     let env = fake.sandboxEnvironment(server: server)   // INSTAGRAM_ACCESS_TOKEN, ATOM_*_BASE, …
/// }
/// ```
public actor InstagramFake {
    /// One container as the fake sees it.
    public struct Container: Sendable {
        /// The container id.
        public let id: String
        /// The fields it was created with (form and query merged).
        public let fields: [String: String]
        /// The Graph version in the creating request's path.
        public let version: String
        /// `instagram` or `facebook`: the host it was created on.
        public let login: String
        /// Whether it takes bytes through rupload.
        public let resumable: Bool
        /// `IN_PROGRESS`, `FINISHED`, `ERROR`, `EXPIRED`, `PUBLISHED`.
        public internal(set) var statusCode = "IN_PROGRESS"
        /// The `status` text (for `ERROR`).
        public internal(set) var statusText: String?
        /// SHA-256 (hex) and size of what was downloaded from `video_url` or received through rupload.
        public internal(set) var sha256: String?
        public internal(set) var byteCount: Int64 = 0
        /// The `file_size` declared to rupload.
        public internal(set) var declaredSize: Int64?
        /// The `offset` header of each rupload POST, in order.
        public internal(set) var uploadOffsets: [Int64] = []
        /// How many status checks it answered.
        public internal(set) var polls = 0
        /// The media id once published.
        public internal(set) var mediaID: String?
        /// The image fetched from `cover_url`, checked as a whole JPEG of at most 8 MB.
        public internal(set) var cover: FakeImage?

        var pendingPolls = 0
        var failure: String?
        var expired = false
    }

    /// One request the fake answered, for assertions.
    public struct Request: Sendable, Equatable {
        /// The mount it came in on: `/instagram`, `/graph` or `/rupload`.
        public let mount: String
        public let method: String
        /// The path below the mount, without the query.
        public let path: String
        /// The `Authorization` scheme used (`Bearer`, `OAuth`), if any.
        public let authScheme: String?
        /// Whether a token travelled in the URL (`access_token=`).
        public let tokenInURL: Bool
    }

    /// The account id the fake serves.
    public nonisolated let userID: String
    /// The token it accepts at first (refreshes add more).
    public nonisolated let initialToken: String
    /// The Graph version it requires, or `nil` to accept any well-formed one.
    public nonisolated let apiVersion: String?

    var validTokens: Set<String>
    var quotaTotal: Int
    var quotaUsage: Int
    var containers: [String: Container] = [:]
    var containerOrder: [String] = []
    /// Running hashes of rupload bytes, per container (kept across resumed POSTs).
    var uploadDigests: [String: ReceivedDigest] = [:]
    var media: [String: (container: String, permalink: String)] = [:]
    var recorded: [Request] = []
    var sequence = 0
    var traceSequence = 0
    var refreshes = 0
    var duplicatePublishes = 0

    // Faults.
    var slowPolls = 0
    var processingFailure: String?
    var expireNew = false
    var rateLimits: [(code: Int, regainMinutes: Int)] = []
    var serverErrors = 0
    var tokensExpired = false
    var ruploadDrops: [Int64] = []
    var ruploadBusy = 0
    var dropNextPublish = false
    var refuseRefresh = false

    /// Creates a fake.
    /// - Parameters:
    ///   - accessToken: The token it accepts (obviously fake by default).
    ///   - userID: The Instagram account id.
    ///   - apiVersion: The Graph version it requires; `nil` accepts any `vNN.N`.
    ///   - quotaTotal: `config.quota_total` of the 24-hour publishing limit.
    ///   - quotaUsage: Posts already counted in the window.
    public init(
        accessToken: String = "sandbox-instagram-access-token", userID: String = "17841400000000001",
        apiVersion: String? = nil, quotaTotal: Int = 50, quotaUsage: Int = 0
    ) {
        self.initialToken = accessToken
        self.userID = userID
        self.apiVersion = apiVersion
        self.validTokens = [accessToken]
        self.quotaTotal = quotaTotal
        self.quotaUsage = quotaUsage
    }

    /// The services to mount: Instagram Login host, shared Graph host, shared rupload host.
    public nonisolated var services: [any FakeService] {
        [
            InstagramFakeService(fake: self, mount: .instagramLogin), InstagramFakeService(fake: self, mount: .graph),
            InstagramFakeService(fake: self, mount: .rupload),
        ]
    }

    /// The `.env` settings that point atom at this fake.
    public nonisolated func sandboxEnvironment(server: FakeServer) -> [String: String] {
        [
            "INSTAGRAM_ACCESS_TOKEN": initialToken,
            // The sandbox token has neither real shape (IG… / EAA…), so the setup is named.
            "INSTAGRAM_LOGIN": initialToken.hasPrefix("EAA") ? "facebook" : "instagram",
            "INSTAGRAM_USER_ID": userID,
            "INSTAGRAM_ACCESS_TOKEN_EXPIRES_AT": Date().addingTimeInterval(50 * 86_400).formatted(.iso8601),
            "ATOM_INSTAGRAM_API_BASE": server.baseURL(for: InstagramFakeService.Mount.instagramLogin.rawValue)
                .absoluteString,
            "ATOM_GRAPH_API_BASE": server.baseURL(for: InstagramFakeService.Mount.graph.rawValue).absoluteString,
            "ATOM_RUPLOAD_BASE": server.baseURL(for: InstagramFakeService.Mount.rupload.rawValue).absoluteString,
        ]
    }

    // MARK: Faults

    /// Injects a fault (see ``InstagramFakeFault``).
    public func inject(_ fault: InstagramFakeFault) {
        switch fault.kind {
        case .slowProcessing(let polls): slowPolls = max(0, polls)
        case .processingError(let status): processingFailure = status
        case .expireContainers: expireNew = true
        case .rateLimit(let code, let times, let minutes):
            rateLimits += Array(repeating: (code, minutes), count: max(0, times))
        case .serverError(let times): serverErrors += max(0, times)
        case .expiredToken: tokensExpired = true
        case .quotaSpent: quotaUsage = max(quotaUsage, quotaTotal)
        case .dropRupload(let bytes, let times): ruploadDrops += Array(repeating: max(0, bytes), count: max(0, times))
        case .ruploadUnavailable(let times): ruploadBusy += max(0, times)
        case .dropPublishResponse: dropNextPublish = true
        case .refreshRefused: refuseRefresh = true
        }
    }

    /// Clears every fault.
    public func clearFaults() {
        slowPolls = 0
        processingFailure = nil
        expireNew = false
        rateLimits = []
        serverErrors = 0
        tokensExpired = false
        ruploadDrops = []
        ruploadBusy = 0
        dropNextPublish = false
        refuseRefresh = false
    }

    // MARK: Inspection

    /// Every request answered, in order.
    public var requests: [Request] { recorded }
    /// Every container, in creation order.
    public var allContainers: [Container] { containerOrder.compactMap { containers[$0] } }
    /// A container by id.
    public func container(_ id: String) -> Container? { containers[id] }
    /// How many Reels were published.
    public var publishCount: Int { containers.values.filter { $0.mediaID != nil }.count }
    /// media_publish calls for a container that was already published (must stay 0).
    public var duplicatePublishCount: Int { duplicatePublishes }
    /// Successful `refresh_access_token` calls.
    public var refreshCount: Int { refreshes }
    /// Posts counted in the current 24-hour window.
    public var quotaUsed: Int { quotaUsage }
    /// The permalink of a published media id.
    public func permalink(of mediaID: String) -> String? { media[mediaID]?.permalink }

    // MARK: Shared helpers

    func record(_ request: Request) { recorded.append(request) }

    func nextTraceID() -> String {
        traceSequence += 1
        return "AsbxTrace\(traceSequence)"
    }

    func owns(_ id: String) -> Bool { id == userID || containers[id] != nil || media[id] != nil }

    func isValid(token: String?) -> Bool {
        guard let token, !tokensExpired else { return false }
        return validTokens.contains(token)
    }
}
