import Foundation
import NIOCore
import PlatformKit
import PublishingCore

/// The fake's shared state: tokens, sessions, videos, faults, counters.
actor FakeYouTubeState {
    struct Session {
        var id: String
        var size: Int64
        var contentType: String
        var resource: FakeYouTubeVideoMetadata
        var stored: Int64 = 0
        var digest = ReceivedDigest()
        var bytesReceived: Int64 = 0
        var chunkStarts: [Int64] = []
        var statusQueries = 0
        var expired = false
        var busy = false
        var videoID: String?
    }

    struct Video {
        var id: String
        var metadata: FakeYouTubeVideoMetadata
        var privacyStatus: String
        var contentType: String
        var size: Int64
        var sha256: String
        var bytesReceived: Int64
        var polls = 0
        var processingPolls: Int
        var outcome: FakeYouTubeProcessingOutcome
    }

    let now: @Sendable () -> Date
    let accessTokenLifetime: Int
    private var accessTokens: [String: Date] = [:]
    private var refreshTokens: Set<String> = [FakeYouTube.refreshToken]
    private var sessions: [String: Session] = [:]
    private var sessionOrder: [String] = []
    private var videos: [String: Video] = [:]
    private var videoOrder: [String] = []
    private var faults: [FakeYouTubeFault.Kind] = []
    private var processingPolls = 0
    private var processingOutcome = FakeYouTubeProcessingOutcome.succeeded
    private var lockPrivate = false
    private var thumbnails: [String: FakeImage] = [:]
    /// The channel may not set custom thumbnails (not verified).
    private(set) var thumbnailsForbidden = false
    func setThumbnailsForbidden(_ forbidden: Bool) { thumbnailsForbidden = forbidden }
    func setThumbnail(_ image: FakeImage, videoID: String) { thumbnails[videoID] = image }
    /// The custom thumbnail of each video that has one.
    func thumbnailList() -> [String: FakeImage] { thumbnails }
    private var counters = FakeYouTubeStats(
        sessionsStarted: 0, chunkRequests: 0, statusQueries: 0, bytesReceived: 0, tokensIssued: 0,
        refreshGrants: 0, unauthorizedAnswers: 0, videosListCalls: 0, violations: [])
    private var serial = 0

    init(now: @escaping @Sendable () -> Date, accessTokenLifetime: Int) {
        self.now = now
        self.accessTokenLifetime = accessTokenLifetime
    }

    // MARK: Configuration and faults

    func inject(_ fault: FakeYouTubeFault) { faults.append(fault.kind) }
    func expireAccessTokens() { accessTokens.removeAll() }
    func expireSessions() {
        for id in sessions.keys where sessions[id]?.videoID == nil { sessions[id]?.expired = true }
    }
    func addRefreshToken(_ token: String) { refreshTokens.insert(token) }
    func revokeRefreshToken(_ token: String) { refreshTokens.remove(token) }
    func setProcessing(polls: Int, outcome: FakeYouTubeProcessingOutcome) {
        processingPolls = max(0, polls)
        processingOutcome = outcome
    }
    func setLockPrivate(_ locked: Bool) { lockPrivate = locked }

    /// Takes the fault armed for the `number`-th chunk request, if any.
    func takeChunkFault(_ number: Int) -> FakeYouTubeFault.Kind? {
        guard
            let index = faults.firstIndex(where: { fault in
                switch fault {
                case .chunkStatus(let chunk, _, _), .dropConnection(let chunk, _), .expireSession(let chunk),
                    .stall(let chunk), .chunkError(let chunk, _), .incompleteWhenComplete(let chunk):
                    return chunk == number
                default:
                    return false
                }
            })
        else { return nil }
        return faults.remove(at: index)
    }

    /// Takes one use of an armed session-start error.
    func takeSessionStartError() -> FakeGoogleError? {
        takeCountedError {
            if case .sessionStartError(let error, let times) = $0 { (error, times) } else { nil }
        } rebuild: {
            .sessionStartError($0, times: $1)
        }
    }

    /// Takes one use of an armed `videos.list` error.
    func takeVideosListError() -> FakeGoogleError? {
        takeCountedError {
            if case .videosListError(let error, let times) = $0 { (error, times) } else { nil }
        } rebuild: {
            .videosListError($0, times: $1)
        }
    }

    private func takeCountedError(
        _ match: (FakeYouTubeFault.Kind) -> (FakeGoogleError, Int)?,
        rebuild: (FakeGoogleError, Int) -> FakeYouTubeFault.Kind
    ) -> FakeGoogleError? {
        guard let index = faults.firstIndex(where: { match($0) != nil }), let (error, times) = match(faults[index])
        else { return nil }
        if times > 1 { faults[index] = rebuild(error, times - 1) } else { faults.remove(at: index) }
        return error
    }

    // MARK: Tokens

    func isValid(accessToken: String?) -> Bool {
        guard let accessToken, let expiry = accessTokens[accessToken] else { return false }
        return expiry > now()
    }

    func noteUnauthorized() { counters.unauthorizedAnswers += 1 }

    func knows(refreshToken: String) -> Bool { refreshTokens.contains(refreshToken) }

    func issueAccessToken(refresh: Bool) -> (token: String, lifetime: Int) {
        serial += 1
        counters.tokensIssued += 1
        if refresh { counters.refreshGrants += 1 }
        let token = "sandbox-youtube-access-token-\(serial)"
        accessTokens[token] = now().addingTimeInterval(TimeInterval(accessTokenLifetime))
        return (token, accessTokenLifetime)
    }

    // MARK: Grant (atom auth status / revoke, atom unpublish)

    /// The scopes the grant holds (what `tokeninfo` reports and `videos.delete` checks).
    var grantedScopes = [
        "https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube.readonly",
    ]
    /// Revocations received, in order.
    var revocations = 0

    func setGrantedScopes(_ scopes: [String]) { grantedScopes = scopes }

    /// When `accessToken` expires, or `nil` if the fake never issued it or it was revoked.
    func expiry(ofAccessToken accessToken: String) -> Date? { accessTokens[accessToken] }

    /// Ends the grant that `token` (a refresh or access token) belongs to: every token the fake issued stops
    /// working, as Google's revocation of a refresh token does. `false` for a token the fake does not know.
    func revokeGrant(token: String) -> Bool {
        guard refreshTokens.contains(token) || accessTokens[token] != nil else { return false }
        refreshTokens.removeAll()
        accessTokens.removeAll()
        revocations += 1
        return true
    }

    /// Deletes a video; `false` when there is none with `id`.
    func deleteVideo(_ id: String) -> Bool {
        guard videos.removeValue(forKey: id) != nil else { return false }
        videoOrder.removeAll { $0 == id }
        return true
    }

    func issueRefreshToken() -> String {
        serial += 1
        let token = "sandbox-youtube-refresh-token-\(serial)"
        refreshTokens.insert(token)
        return token
    }

    // MARK: Sessions

    func startSession(size: Int64, contentType: String, resource: FakeYouTubeVideoMetadata) -> String {
        serial += 1
        let id = "sandbox-upload-\(serial)-\(UUID().uuidString.prefix(8).lowercased())"
        sessions[id] = Session(id: id, size: size, contentType: contentType, resource: resource)
        sessionOrder.append(id)
        counters.sessionsStarted += 1
        return id
    }

    /// What a request handler needs to know about a session.
    struct SessionView: Sendable {
        var id: String
        var size: Int64
        var contentType: String
        var stored: Int64
        var expired: Bool
        var videoID: String?
    }

    func session(_ id: String) -> SessionView? {
        sessions[id].map {
            SessionView(
                id: $0.id, size: $0.size, contentType: $0.contentType, stored: $0.stored, expired: $0.expired,
                videoID: $0.videoID)
        }
    }

    func expire(session id: String) { sessions[id]?.expired = true }

    func noteStatusQuery(_ id: String) {
        sessions[id]?.statusQueries += 1
        counters.statusQueries += 1
    }

    func violation(_ text: String) { counters.violations.append(text) }

    /// Counts a chunk request and returns its 1-based number over the fake's lifetime.
    func beginChunk(_ id: String, start: Int64) -> Int? {
        guard var session = sessions[id], !session.busy else { return nil }
        session.busy = true
        session.chunkStarts.append(start)
        sessions[id] = session
        counters.chunkRequests += 1
        return counters.chunkRequests
    }

    /// Stores bytes that arrived for a chunk, in order.
    func store(_ id: String, _ buffer: ByteBuffer) {
        sessions[id]?.digest.update(buffer)
        sessions[id]?.stored += Int64(buffer.readableBytes)
    }

    /// Records the chunk bytes read (stored or not) and ends the chunk request. Returns the bytes the session holds.
    @discardableResult
    func endChunk(_ id: String, received: Int64) -> Int64 {
        guard var session = sessions[id] else { return 0 }
        session.busy = false
        session.bytesReceived += received
        counters.bytesReceived += received
        sessions[id] = session
        return session.stored
    }

    /// Turns a session whose bytes are all stored into a video.
    func finish(_ id: String) -> Video? {
        guard var session = sessions[id] else { return nil }
        if let videoID = session.videoID { return videos[videoID] }
        serial += 1
        let videoID = "sbx" + String(format: "%08d", serial)
        session.videoID = videoID
        sessions[id] = session
        var privacy = session.resource.privacyStatus
        if lockPrivate { privacy = "private" }
        let video = Video(
            id: videoID, metadata: session.resource, privacyStatus: privacy, contentType: session.contentType,
            size: session.size,
            sha256: session.digest.hex, bytesReceived: session.bytesReceived, processingPolls: processingPolls,
            outcome: processingOutcome
        )
        videos[videoID] = video
        videoOrder.append(videoID)
        return video
    }

    func video(_ id: String) -> Video? { videos[id] }

    /// `videos.update` of `status`: every status field is replaced, so an omitted one is removed, as on YouTube.
    func updateStatus(_ id: String, privacy: String, publishAt: String?, madeForKids: Bool?) -> Video? {
        guard var video = videos[id] else { return nil }
        video.privacyStatus = privacy
        video.metadata.privacyStatus = privacy
        video.metadata.publishAt = publishAt
        video.metadata.madeForKids = madeForKids
        videos[id] = video
        return video
    }

    /// Counts a `videos.list` call that asked for `ids`, returning the videos found (with their poll counts advanced).
    func poll(_ ids: [String]) -> [Video] {
        counters.videosListCalls += 1
        return ids.compactMap { id in
            guard var video = videos[id] else { return nil }
            video.polls += 1
            videos[id] = video
            return video
        }
    }

    // MARK: Inspection

    func videoList() -> [FakeYouTubeVideo] {
        videoOrder.compactMap { videos[$0] }.map { video in
            FakeYouTubeVideo(
                id: video.id, title: video.metadata.title, description: video.metadata.description,
                tags: video.metadata.tags,
                categoryID: video.metadata.categoryID, privacyStatus: video.privacyStatus,
                requestedPrivacy: video.metadata.privacyStatus,
                publishAt: video.metadata.publishAt, madeForKids: video.metadata.madeForKids,
                containsSyntheticMedia: video.metadata.containsSyntheticMedia, contentType: video.contentType,
                size: video.size,
                sha256: video.sha256, bytesReceived: video.bytesReceived, polls: video.polls
            )
        }
    }

    func sessionList() -> [FakeYouTubeSession] {
        sessionOrder.compactMap { sessions[$0] }.map { session in
            FakeYouTubeSession(
                id: session.id, size: session.size, stored: session.stored, bytesReceived: session.bytesReceived,
                chunkStarts: session.chunkStarts, statusQueries: session.statusQueries, expired: session.expired,
                videoID: session.videoID)
        }
    }

    func statistics() -> FakeYouTubeStats { counters }
}
