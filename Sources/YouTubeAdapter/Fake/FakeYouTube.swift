import Foundation
import PlatformKit
import PublishingCore

/// A strict loopback fake of YouTube Data API v3 uploads (`videos.insert` with the resumable protocol,
/// `videos.list`) and of Google's OAuth token endpoint, for tests and `atom sandbox`.
///
/// Mount ``services`` on a ``FakeServer``: the API answers under `/youtube` (`/upload/youtube/v3/…` and
/// `/youtube/v3/…`), the token endpoint at `/google-oauth/token`. It enforces what the real service documents:
/// bearer tokens it issued itself (refresh-token grant; `invalid_grant` for unknown refresh tokens), the session
/// protocol (Content-Range in step with what it holds, non-final chunks in multiples of 256 KiB, 308 with `Range`,
/// status queries, 201 with the video resource) and the metadata limits — answering with Google's error shapes.
/// Faults are injected with ``inject(_:)``; what arrived is inspected with ``videos()``, ``sessions()`` and ``stats()``.
public final class FakeYouTube: Sendable {
    /// The OAuth client id the fake accepts.
    public static let clientID = "sandbox-youtube-client-id"
    /// The OAuth client secret the fake accepts.
    public static let clientSecret = "sandbox-youtube-client-secret"
    /// The refresh token the fake accepts (more can be added with ``addRefreshToken(_:)``).
    public static let refreshToken = "sandbox-youtube-refresh-token"
    /// The API mount path.
    public static let apiMountPath = "/youtube"
    /// The token endpoint mount path.
    public static let oauthMountPath = "/google-oauth"

    let state: FakeYouTubeState
    let stallSignal = AsyncStream.makeStream(of: Void.self)
    let stallRelease = AsyncStream.makeStream(of: Void.self)
    let stallDone = AsyncStream.makeStream(of: Void.self)

    /// Creates a fake.
    /// - Parameters:
    ///   - now: Its wall clock (token expiry, `publishAt` checks).
    ///   - accessTokenLifetime: `expires_in` of the tokens it issues, in seconds.
    public init(now: @escaping @Sendable () -> Date = { Date() }, accessTokenLifetime: Int = 3599) {
        state = FakeYouTubeState(now: now, accessTokenLifetime: accessTokenLifetime)
        consent = FakeConsent(profile: .google(clientID: Self.clientID))
    }

    /// Google's consent page for `atom auth youtube` (deny it, forge its state, inspect its requests); the token
    /// endpoint redeems only the codes it issued, checking the PKCE verifier.
    public let consent: FakeConsent
    /// The consent page's mount path (`ATOM_GOOGLE_AUTH_URL` = `<base>/google-auth/o/oauth2/v2/auth`).
    public static let consentMountPath = "/google-auth"

    /// The services to mount: the API (`/youtube`), the token endpoint (`/google-oauth`) and the consent page
    /// (`/google-auth`).
    public var services: [any FakeService] { [api, oauth, consentPage, tokenAdmin, accountAPI] }
    /// The consent page service.
    public var consentPage: FakeConsentService {
        FakeConsentService(
            consent, mountPath: Self.consentMountPath, path: "/o/oauth2/v2/auth",
            environmentKey: "ATOM_GOOGLE_AUTH_URL")
    }
    /// The API service.
    public var api: FakeYouTubeAPI { FakeYouTubeAPI(fake: self) }
    /// The token endpoint service.
    public var oauth: FakeGoogleOAuth { FakeGoogleOAuth(fake: self) }

    // MARK: Fault injection

    /// Arms a fault (each fires once, or `times` times for errors).
    public func inject(_ fault: FakeYouTubeFault) async { await state.inject(fault) }
    /// Invalidates every access token issued so far: the next API call answers 401 until the client refreshes.
    public func expireAccessTokens() async { await state.expireAccessTokens() }
    /// Expires every open upload session: the next request on one answers 404.
    public func expireSessions() async { await state.expireSessions() }
    /// Accepts another refresh token.
    public func addRefreshToken(_ token: String) async { await state.addRefreshToken(token) }
    /// Revokes a refresh token: refreshing with it answers `invalid_grant`.
    public func revokeRefreshToken(_ token: String) async { await state.revokeRefreshToken(token) }
    /// Makes processing of videos uploaded from now on take `polls` `videos.list` calls, then end with `outcome`.
    public func setProcessing(polls: Int, outcome: FakeYouTubeProcessingOutcome = .succeeded) async {
        await state.setProcessing(polls: polls, outcome: outcome)
    }
    /// Locks uploads private whatever privacy they ask for, as YouTube does for unaudited Google projects.
    public func lockUploadsPrivate(_ locked: Bool = true) async { await state.setLockPrivate(locked) }

    /// Waits until a ``FakeYouTubeFault/stall(chunk:)`` fault holds a chunk request.
    public func waitUntilStalled() async {
        for await _ in stallSignal.stream { return }
    }

    /// Lets a stalled chunk request go: the fake drops its connection without storing any of its bytes.
    /// Returns once the fake has finished with that request.
    public func releaseStall() async {
        stallRelease.continuation.finish()
        for await _ in stallDone.stream { return }
    }

    // MARK: Inspection

    /// Every video created, in order.
    public func videos() async -> [FakeYouTubeVideo] { await state.videoList() }
    /// Every upload session, in order of creation.
    public func sessions() async -> [FakeYouTubeSession] { await state.sessionList() }
    /// Counters and protocol violations.
    public func stats() async -> FakeYouTubeStats { await state.statistics() }
    /// The custom thumbnail set on each video (`thumbnails.set`), by video id.
    public func thumbnails() async -> [String: FakeImage] { await state.thumbnailList() }
    /// Makes the channel unverified: `thumbnails.set` answers 403 `forbidden`.
    public func forbidCustomThumbnails(_ forbidden: Bool = true) async { await state.setThumbnailsForbidden(forbidden) }
}

/// A fault the fake injects.
public struct FakeYouTubeFault: Sendable {
    enum Kind: Sendable {
        case chunkStatus(chunk: Int, status: Int, afterStoring: Bool)
        case incompleteWhenComplete(chunk: Int)
        case dropConnection(chunk: Int, afterBytes: Int)
        case expireSession(chunk: Int)
        case stall(chunk: Int)
        case chunkError(chunk: Int, FakeGoogleError)
        case sessionStartError(FakeGoogleError, times: Int)
        case videosListError(FakeGoogleError, times: Int)
    }

    let kind: Kind

    /// The `chunk`-th chunk request (1-based, counting every request that carries bytes) answers `status`
    /// (default 503, Google's `backendError`); with `afterStoring` the fake first stores the whole chunk, as a
    /// server whose answer was lost would.
    public static func serverError(chunk: Int, status: Int = 503, afterStoring: Bool = true) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .chunkStatus(chunk: chunk, status: status, afterStoring: afterStoring))
    }

    /// The `chunk`-th chunk request stores its bytes and, even when that completes the upload, answers
    /// `308` with a `Range` covering every byte; a status query (`Content-Range: bytes */N`) then returns the video.
    ///
    /// Real Google servers do this at times: their resumable-upload docs say to query the status whenever the
    /// outcome of a request is unclear.
    public static func incompleteWhenComplete(chunk: Int) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .incompleteWhenComplete(chunk: chunk))
    }

    /// The `chunk`-th chunk request has its connection dropped after the fake read and stored `afterBytes` of it.
    public static func dropConnection(chunk: Int, afterBytes: Int) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .dropConnection(chunk: chunk, afterBytes: afterBytes))
    }

    /// The session expires just before the `chunk`-th chunk request, which answers 404.
    public static func expireSession(chunk: Int) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .expireSession(chunk: chunk))
    }

    /// The `chunk`-th chunk request is held without reading it until ``FakeYouTube/releaseStall()`` (or shutdown),
    /// then its connection is dropped: a process killed mid-chunk.
    public static func stall(chunk: Int) -> FakeYouTubeFault { FakeYouTubeFault(kind: .stall(chunk: chunk)) }

    /// The `chunk`-th chunk request answers a Google error without storing anything.
    public static func chunkError(chunk: Int, _ error: FakeGoogleError) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .chunkError(chunk: chunk, error))
    }

    /// The next `times` session starts answer `error`.
    public static func sessionStartError(_ error: FakeGoogleError, times: Int = 1) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .sessionStartError(error, times: times))
    }

    /// The next `times` `videos.list` calls answer `error`.
    public static func videosListError(_ error: FakeGoogleError, times: Int = 1) -> FakeYouTubeFault {
        FakeYouTubeFault(kind: .videosListError(error, times: times))
    }
}

/// A Google API error the fake answers with: `{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}`.
public struct FakeGoogleError: Error, Sendable, Equatable {
    /// The HTTP status (also `error.code`).
    public var status: Int
    /// `errors[0].reason`, e.g. `quotaExceeded`.
    public var reason: String
    /// `error.message`.
    public var message: String
    /// `errors[0].domain`, e.g. `youtube.quota`.
    public var domain: String = "youtube.api"
    /// A `Retry-After` header (seconds), if any.
    public var retryAfter: Int?

    /// 403 `quotaExceeded`: the project's daily quota is spent.
    public static let quotaExceeded = FakeGoogleError(
        status: 403, reason: "quotaExceeded",
        message: "The request cannot be completed because you have exceeded your quota.",
        domain: "youtube.quota")
    /// 400 `uploadLimitExceeded`: the channel's upload cap.
    public static let uploadLimitExceeded = FakeGoogleError(
        status: 400, reason: "uploadLimitExceeded",
        message: "The user has exceeded the number of videos they may upload.",
        domain: "youtube.video")
    /// 403 `forbidden`.
    public static let forbidden = FakeGoogleError(
        status: 403, reason: "forbidden", message: "Access forbidden. The request may not be properly authorized.",
        domain: "global")
    /// 403 `rateLimitExceeded`.
    public static let rateLimitExceeded = FakeGoogleError(
        status: 403, reason: "rateLimitExceeded", message: "Rate Limit Exceeded",
        domain: "usageLimits")
    /// 429 `userRateLimitExceeded`.
    public static let userRateLimitExceeded = FakeGoogleError(
        status: 429, reason: "userRateLimitExceeded", message: "User Rate Limit Exceeded",
        domain: "usageLimits")
    /// 503 `backendError`.
    public static let backendError = FakeGoogleError(
        status: 503, reason: "backendError", message: "Backend Error", domain: "global")
}

/// How processing of an uploaded video ends in the fake.
public struct FakeYouTubeProcessingOutcome: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case succeeded, failed(String), rejected(String) }
    let kind: Kind

    /// `uploadStatus: processed`, `processingStatus: succeeded`.
    public static let succeeded = FakeYouTubeProcessingOutcome(kind: .succeeded)
    /// `uploadStatus: failed` with `failureReason` (`codec`, `conversion`, `invalidFile`, …).
    public static func failed(_ reason: String) -> FakeYouTubeProcessingOutcome {
        FakeYouTubeProcessingOutcome(kind: .failed(reason))
    }
    /// `uploadStatus: rejected` with `rejectionReason` (`duplicate`, `copyright`, …).
    public static func rejected(_ reason: String) -> FakeYouTubeProcessingOutcome {
        FakeYouTubeProcessingOutcome(kind: .rejected(reason))
    }
}

/// A video the fake holds.
public struct FakeYouTubeVideo: Sendable, Equatable {
    /// The video id the fake made.
    public var id: String
    /// `snippet.title` as received.
    public var title: String
    /// `snippet.description` as received.
    public var description: String
    /// `snippet.tags` as received.
    public var tags: [String]
    /// `snippet.categoryId` (default "22").
    public var categoryID: String
    /// The privacy stored (after a private lock, if any).
    public var privacyStatus: String
    /// The privacy the upload asked for.
    public var requestedPrivacy: String
    /// `status.publishAt` as received.
    public var publishAt: String?
    /// `status.selfDeclaredMadeForKids`, if sent.
    public var madeForKids: Bool?
    /// `status.containsSyntheticMedia`, if sent.
    public var containsSyntheticMedia: Bool?
    /// `X-Upload-Content-Type`.
    public var contentType: String
    /// The file size declared at session start (`X-Upload-Content-Length`).
    public var size: Int64
    /// SHA-256 (hex) of the bytes stored, in order.
    public var sha256: String
    /// Bytes of chunk bodies read for this video's session, including bytes later refused or lost.
    public var bytesReceived: Int64
    /// `videos.list` calls that included this video.
    public var polls: Int
}

/// An upload session the fake holds.
public struct FakeYouTubeSession: Sendable, Equatable {
    /// The `upload_id` of the session URI.
    public var id: String
    /// The declared file size.
    public var size: Int64
    /// Bytes stored (the offset the session continues from).
    public var stored: Int64
    /// Bytes of chunk bodies read on this session.
    public var bytesReceived: Int64
    /// The first byte of each chunk request, in order.
    public var chunkStarts: [Int64]
    /// Status queries (`Content-Range: bytes */N`).
    public var statusQueries: Int
    /// Whether the session expired (requests on it answer 404).
    public var expired: Bool
    /// The video made when the last byte arrived.
    public var videoID: String?
}

/// Counters over the fake's lifetime.
public struct FakeYouTubeStats: Sendable, Equatable {
    /// Sessions created (session starts that succeeded).
    public var sessionsStarted: Int
    /// Requests that carried chunk bytes.
    public var chunkRequests: Int
    /// Status queries (`Content-Range: bytes */N`).
    public var statusQueries: Int
    /// Bytes of chunk bodies read, over all sessions.
    public var bytesReceived: Int64
    /// Access tokens issued by the token endpoint.
    public var tokensIssued: Int
    /// `grant_type=refresh_token` exchanges that succeeded.
    public var refreshGrants: Int
    /// 401 answers for missing, unknown or expired bearer tokens.
    public var unauthorizedAnswers: Int
    /// `videos.list` calls.
    public var videosListCalls: Int
    /// Requests that broke the protocol (each refused with an error); empty for a correct client.
    public var violations: [String]
}
