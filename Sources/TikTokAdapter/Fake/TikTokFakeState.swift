import Foundation
import NIOCore
import PlatformKit
import PublishingCore

/// The TikTok fake's state, shared by its handlers: tokens, publishes, received bytes, faults and the request log.
public actor TikTokFakeState {
    /// The fake's settings.
    public nonisolated let configuration: TikTokFake.Configuration

    struct Publish {
        var id: String
        var inbox: Bool
        var source: String
        var postInfo: [String: JSONValue]
        var privacy: String?
        var videoSize: Int64 = 0
        var chunkSize: Int64 = 0
        var chunkCount: Int64 = 0
        var uploadID: String?
        var uploadToken: String?
        var issuedAt: Date
        var expired = false
        var committed: Int64 = 0
        var chunks = 0
        var digest = ReceivedDigest()
        var pending: ReceivedDigest?
        var pendingBytes: Int64 = 0
        var generation = 0
        var videoURL: String?
        var downloadPollsLeft = 1
        var downloadSHA: String?
        var downloadFailed = false
        var processingLeft: Int
        var failReason: String?
        var status: String
        var publicPostID: Int64?

        var bytesComplete: Bool { source == "PULL_FROM_URL" ? downloadSHA != nil : committed == videoSize }
    }

    private var accessTokens: Set<String>
    private var refreshToken: String
    private var latestAccessToken: String
    private var issued = 1
    private var faults: [TikTokFakeFault] = []
    private var publishes: [String: Publish] = [:]
    private var publishOrder: [String] = []
    private var uploadIndex: [String: String] = [:]
    private var records: [TikTokFakeRequestRecord] = []
    private var counter = 0
    private var publishCounter = 0
    private var authorizations: [(challenge: String, redirectURI: String)] = []
    private var extraVerifiedPrefixes: [String] = []

    init(configuration: TikTokFake.Configuration) {
        self.configuration = configuration
        self.accessTokens = [configuration.accessToken]
        self.latestAccessToken = configuration.accessToken
        self.refreshToken = configuration.refreshToken
    }

    // MARK: Fault injection and inspection

    /// Queues a fault; each fires once, the first time its trigger matches.
    public func inject(_ fault: TikTokFakeFault) { faults.append(fault) }

    /// Makes every access token issued so far invalid (`401 access_token_invalid`), as after expiry.
    public func expireAccessTokens() { accessTokens.removeAll() }

    /// Verifies one more domain or URL prefix for `PULL_FROM_URL` (for URLs known only once the server runs).
    public func verify(urlPrefix: String) { extraVerifiedPrefixes.append(urlPrefix) }

    /// Every verified domain or URL prefix.
    public var verifiedURLPrefixes: [String] { configuration.verifiedURLPrefixes + extraVerifiedPrefixes }

    /// Faults not yet fired.
    public var pendingFaults: Int { faults.count }

    /// Every request answered, in order.
    public var requests: [TikTokFakeRequestRecord] { records }

    /// The requests to one endpoint.
    public func requests(to endpoint: TikTokFakeEndpoint) -> [TikTokFakeRequestRecord] {
        records.filter { $0.endpoint == endpoint }
    }

    /// The publish ids handed out, in order.
    public var publishIDs: [String] { publishOrder }

    /// The access token issued last.
    public var currentAccessToken: String { latestAccessToken }
    /// The refresh token valid now (each refresh rotates it).
    public var currentRefreshToken: String { refreshToken }

    /// What arrived for a publish: pushed chunks, or the bytes downloaded from a pulled URL.
    public func received(_ publishID: String) -> TikTokFakeUpload? {
        guard let publish = publishes[publishID] else { return nil }
        if publish.source == "PULL_FROM_URL" {
            guard let sha = publish.downloadSHA else { return nil }
            return TikTokFakeUpload(bytes: publish.committed, sha256: sha, chunks: 0)
        }
        return TikTokFakeUpload(bytes: publish.committed, sha256: publish.digest.hex, chunks: publish.chunks)
    }

    /// A snapshot of a publish.
    public func publish(_ publishID: String) -> TikTokFakePublish? {
        guard let publish = publishes[publishID] else { return nil }
        return TikTokFakePublish(
            publishID: publish.id, inbox: publish.inbox, source: publish.source, privacyLevel: publish.privacy,
            title: publish.postInfo["title"]?.stringValue, postInfo: publish.postInfo, videoURL: publish.videoURL,
            status: publish.status
        )
    }

    // MARK: Used by the handlers

    func log(_ record: TikTokFakeRequestRecord) { records.append(record) }

    func nextLogID() -> String {
        counter += 1
        return String(format: "20260101000000FAKE%06d", counter)
    }

    /// How many grants `/v2/oauth/revoke/` ended.
    public private(set) var revocations = 0

    /// Ends the grant `accessToken` belongs to (`/v2/oauth/revoke/`): every access token and the refresh token stop
    /// working. `false` when the fake does not know the token.
    func revoke(accessToken: String) -> Bool {
        guard accessTokens.contains(accessToken) else { return false }
        accessTokens.removeAll()
        refreshToken = "revoked-" + UUID().uuidString
        revocations += 1
        return true
    }

    func isValid(accessToken: String?) -> Bool {
        guard let accessToken else { return false }
        return accessTokens.contains(accessToken)
    }

    /// Takes the first queued fault `match` accepts.
    func takeFault<T: Sendable>(_ match: @Sendable (TikTokFakeFault.Kind) -> T?) -> T? {
        for (index, fault) in faults.enumerated() {
            if let value = match(fault.kind) {
                faults.remove(at: index)
                return value
            }
        }
        return nil
    }

    func apiFault(for endpoint: TikTokFakeEndpoint) -> (status: Int, code: String, message: String)? {
        takeFault { kind in
            if case .apiError(let target, let status, let code, let message) = kind, target == endpoint {
                return (status, code, message)
            }
            return nil
        }
    }

    /// Checks a refresh token (or authorisation code) and issues a new pair, rotating the refresh token.
    func issueTokens(usingRefreshToken presented: String?) -> (access: String, refresh: String)? {
        if let presented, presented != refreshToken { return nil }
        issued += 1
        let access = "\(configuration.accessToken)-\(issued)"
        let refresh = "\(configuration.refreshToken)-\(issued)"
        accessTokens.insert(access)
        latestAccessToken = access
        refreshToken = refresh
        return (access, refresh)
    }

    func rememberAuthorization(challenge: String, redirectURI: String) {
        authorizations.append((challenge, redirectURI))
    }

    /// Whether a code exchange matches an authorisation (PKCE challenge and exact redirect URI); single use.
    func redeemAuthorization(challenge: String, redirectURI: String) -> Bool {
        guard
            let index = authorizations.firstIndex(where: { $0.challenge == challenge && $0.redirectURI == redirectURI })
        else { return false }
        authorizations.remove(at: index)
        return true
    }

    /// What a handler needs of a new publish.
    struct Created: Sendable {
        var id: String
        var uploadID: String?
        var uploadToken: String?
    }

    /// Records a new publish.
    func createPublish(
        inbox: Bool, source: String, postInfo: [String: JSONValue], videoSize: Int64, chunkSize: Int64,
        chunkCount: Int64,
        videoURL: String?
    ) -> Created {
        publishCounter += 1
        let counter = publishCounter
        let kind = source == "PULL_FROM_URL" ? "url" : "file"
        let id =
            inbox ? "v_inbox_\(kind)~v2.\(7_300_000_000 + counter)" : "v_pub_\(kind)~v2-1.\(7_300_000_000 + counter)"
        let slow =
            takeFault { kind -> Int? in
                if case .slowProcessing(let polls) = kind { return polls }; return nil
            } ?? 0
        let fail = takeFault { kind -> String? in
            if case .failProcessing(let reason) = kind { return reason }; return nil
        }
        var publish = Publish(
            id: id, inbox: inbox, source: source, postInfo: postInfo, privacy: postInfo["privacy_level"]?.stringValue,
            videoSize: videoSize, chunkSize: chunkSize, chunkCount: chunkCount, issuedAt: configuration.now(),
            videoURL: videoURL,
            processingLeft: configuration.processingPolls + slow, failReason: fail,
            status: source == "PULL_FROM_URL" ? "PROCESSING_DOWNLOAD" : "PROCESSING_UPLOAD"
        )
        if source == "FILE_UPLOAD" {
            let uploadID = String(7_100_000_000 + counter)
            publish.uploadID = uploadID
            publish.uploadToken = Self.randomHex(16)
            uploadIndex[uploadID] = id
        }
        if !inbox, publish.privacy == "PUBLIC_TO_EVERYONE" {
            publish.publicPostID = 7_345_678_901_234_567_000 + Int64(counter)
        }
        publishes[id] = publish
        publishOrder.append(id)
        return Created(id: id, uploadID: publish.uploadID, uploadToken: publish.uploadToken)
    }

    // MARK: Chunks

    /// The outcome of a chunk's headers: refused with a response, or accepted for streaming.
    enum ChunkStart: Sendable {
        case refuse(status: Int, code: String, message: String, contentRange: String?, publishID: String?)
        case accept(
            publishID: String, index: Int64, length: Int64, generation: Int, failStatus: Int?, dropAfter: Int64?)
    }

    func beginChunk(
        uploadID: String?, uploadToken: String?, contentType: String?, contentRange: String?, contentLength: Int64?
    ) -> ChunkStart {
        guard let uploadID, let id = uploadIndex[uploadID], var publish = publishes[id],
            publish.uploadToken == uploadToken
        else {
            return .refuse(
                status: 404, code: "invalid_params", message: "no upload task for this upload_url", contentRange: nil,
                publishID: nil)
        }
        let held = progressRange(publish)
        if publish.expired || configuration.now().timeIntervalSince(publish.issuedAt) > configuration.uploadURLLifetime
        {
            return .refuse(
                status: 403, code: "invalid_params", message: "the upload_url has expired", contentRange: held,
                publishID: id)
        }
        if takeFault({ kind -> Bool? in
            if case .expireUploadURL = kind { return true }; return nil
        }) == true {
            for key in publishes.keys { publishes[key]?.expired = true }
            return .refuse(
                status: 403, code: "invalid_params", message: "the upload_url has expired", contentRange: held,
                publishID: id)
        }
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
            ["video/mp4", "video/quicktime", "video/webm"].contains(type)
        else {
            return .refuse(
                status: 400, code: "invalid_params",
                message: "Content-Type must be video/mp4, video/quicktime or video/webm",
                contentRange: held, publishID: id)
        }
        guard let parsed = Self.parseContentRange(contentRange) else {
            return .refuse(
                status: 400, code: "invalid_params", message: "Content-Range must be bytes FIRST-LAST/TOTAL",
                contentRange: held, publishID: id)
        }
        let (first, last, total) = parsed
        guard total == publish.videoSize else {
            return .refuse(
                status: 400, code: "invalid_params",
                message: "Content-Range total \(total) is not video_size \(publish.videoSize)",
                contentRange: held, publishID: id)
        }
        guard publish.committed < publish.videoSize else {
            return .refuse(
                status: 416, code: "invalid_params", message: "every chunk was already received", contentRange: held,
                publishID: id)
        }
        guard first == publish.committed else {
            return .refuse(
                status: 416, code: "invalid_params",
                message: "chunks must be sent in order: expected first byte \(publish.committed), got \(first)",
                contentRange: held, publishID: id)
        }
        let index = first / publish.chunkSize
        let expected = index == publish.chunkCount - 1 ? publish.videoSize - first : publish.chunkSize
        guard last - first + 1 == expected else {
            return .refuse(
                status: 400, code: "invalid_params",
                message: "chunk \(index + 1) must be \(expected) bytes, Content-Range says \(last - first + 1)",
                contentRange: held, publishID: id)
        }
        guard contentLength == expected else {
            return .refuse(
                status: 400, code: "invalid_params",
                message:
                    "Content-Length \(contentLength.map(String.init) ?? "missing") is not the chunk's \(expected) bytes",
                contentRange: held, publishID: id)
        }
        let failStatus = takeFault { kind -> Int? in
            if case .chunkStatus(let chunk, let status) = kind, Int64(chunk) == index { return status }
            return nil
        }
        let dropAfter =
            failStatus == nil
            ? takeFault { kind -> Int64? in
                if case .dropChunk(let chunk, let after) = kind, Int64(chunk) == index { return after }
                return nil
            } : nil
        publish.generation += 1
        publish.pending = publish.digest
        publish.pendingBytes = 0
        publishes[id] = publish
        return .accept(
            publishID: id, index: index, length: expected, generation: publish.generation, failStatus: failStatus,
            dropAfter: dropAfter)
    }

    func feed(_ id: String, generation: Int, _ buffer: ByteBuffer) {
        guard var publish = publishes[id], publish.generation == generation, publish.pending != nil else { return }
        publish.pending?.update(buffer)
        publish.pendingBytes += Int64(buffer.readableBytes)
        publishes[id] = publish
    }

    func abortChunk(_ id: String, generation: Int) {
        guard var publish = publishes[id], publish.generation == generation else { return }
        publish.pending = nil
        publish.pendingBytes = 0
        publishes[id] = publish
    }

    /// Stores a fully received chunk. - Returns: (status, Content-Range) to answer, or an error message.
    func commitChunk(
        _ id: String, generation: Int, length: Int64
    ) -> (status: Int, contentRange: String, error: String?) {
        guard var publish = publishes[id], publish.generation == generation, let pending = publish.pending else {
            return (416, "bytes */0", "another request replaced this chunk")
        }
        guard publish.pendingBytes == length else {
            publish.pending = nil
            publishes[id] = publish
            return (400, progressRange(publish), "the body had \(publish.pendingBytes) bytes, not \(length)")
        }
        publish.digest = pending
        publish.pending = nil
        publish.committed += length
        publish.chunks += 1
        publishes[id] = publish
        return (publish.committed == publish.videoSize ? 201 : 206, progressRange(publish), nil)
    }

    private func progressRange(_ publish: Publish) -> String {
        publish.committed == 0
            ? "bytes */\(publish.videoSize)" : "bytes 0-\(publish.committed - 1)/\(publish.videoSize)"
    }

    static func parseContentRange(_ value: String?) -> (Int64, Int64, Int64)? {
        guard let value, value.hasPrefix("bytes ") else { return nil }
        let spec = value.dropFirst(6)
        let parts = spec.split(separator: "/")
        guard parts.count == 2, let total = Int64(parts[1]) else { return nil }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, last >= first,
            last < total
        else { return nil }
        return (first, last, total)
    }

    // MARK: Status

    /// What a status poll does next.
    enum PollStep: Sendable {
        case respond(status: String, failReason: String?, postID: Int64?, uploaded: Int64, downloaded: Int64)
        case download(URL)
        case unknown
    }

    func poll(_ id: String) -> PollStep {
        guard var publish = publishes[id] else { return .unknown }
        defer { publishes[id] = publish }
        func respond() -> PollStep {
            .respond(
                status: publish.status, failReason: publish.status == "FAILED" ? publish.failReason : nil,
                postID: publish.status == "PUBLISH_COMPLETE" ? publish.publicPostID : nil,
                uploaded: publish.source == "FILE_UPLOAD" ? publish.committed : 0,
                downloaded: publish.source == "PULL_FROM_URL" ? publish.committed : 0)
        }
        if ["PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"].contains(publish.status) { return respond() }
        if publish.source == "PULL_FROM_URL", publish.downloadSHA == nil, !publish.downloadFailed {
            if publish.downloadPollsLeft > 0 {
                publish.downloadPollsLeft -= 1
                publish.status = "PROCESSING_DOWNLOAD"
                return respond()
            }
            if let raw = publish.videoURL, let url = URL(string: raw) { return .download(url) }
            publish.downloadFailed = true
        }
        if publish.downloadFailed {
            publish.status = "FAILED"
            publish.failReason = "video_pull_failed"
            return respond()
        }
        guard publish.bytesComplete else {
            publish.status = "PROCESSING_UPLOAD"
            return respond()
        }
        if publish.processingLeft > 0 {
            publish.processingLeft -= 1
            publish.status = "PROCESSING_UPLOAD"
            return respond()
        }
        if publish.failReason != nil {
            publish.status = "FAILED"
        } else {
            publish.status = publish.inbox ? "SEND_TO_USER_INBOX" : "PUBLISH_COMPLETE"
        }
        return respond()
    }

    func finishDownload(_ id: String, bytes: Int64, sha256: String?) {
        guard var publish = publishes[id] else { return }
        if let sha256 {
            publish.committed = bytes
            publish.downloadSHA = sha256
        } else {
            publish.downloadFailed = true
        }
        publishes[id] = publish
    }

    static func randomHex(_ count: Int) -> String {
        (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
