import Foundation
import NIOCore
import PlatformKit
import PublishingCore

/// The YouTube Data API part of ``FakeYouTube``, mounted at `/youtube`: resumable `videos.insert` and `videos.list`.
public struct FakeYouTubeAPI: FakeService {
    let fake: FakeYouTube
    var state: FakeYouTubeState { fake.state }

    /// The chunk granularity YouTube enforces for every chunk but the last.
    public static let chunkGranularity: Int64 = 256 * 1024

    /// Where the service is mounted.
    public var mountPath: String { FakeYouTube.apiMountPath }

    /// Answers the requests this service owns; `nil` for any other.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        switch (request.method, request.path) {
        case ("POST", "/upload/youtube/v3/videos"): return try await startSession(request)
        case ("PUT", "/upload/youtube/v3/videos"): return try await put(request)
        case ("GET", "/youtube/v3/videos"): return try await list(request)
        case ("POST", "/upload/youtube/v3/thumbnails/set"): return try await setThumbnail(request)
        case ("PUT", "/youtube/v3/videos"): return try await update(request)
        default: return nil
        }
    }

    /// The `.env` lines that point atom at this service.
    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        [
            "ATOM_YOUTUBE_API_BASE": server.baseURL(for: mountPath).absoluteString,
            "YOUTUBE_CLIENT_ID": FakeYouTube.clientID,
            "YOUTUBE_CLIENT_SECRET": FakeYouTube.clientSecret,
            "YOUTUBE_REFRESH_TOKEN": FakeYouTube.refreshToken,
        ]
    }

    // MARK: Requests

    func unauthorized(_ request: FakeRequest) async -> FakeResponse? {
        guard await state.isValid(accessToken: request.bearerToken) else {
            await state.noteUnauthorized()
            var response = FakeGoogleError.unauthorized.response
            response.headers.append(
                ("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""))
            return response
        }
        return nil
    }

    func violation(_ message: String) async -> FakeResponse {
        await state.violation(message)
        return FakeGoogleError.badRequest(message).response
    }

    /// `thumbnails.set`: `uploadType=media`, an existing `videoId`, a whole JPEG or PNG of at most 2 MB whose bytes
    /// match its `Content-Type`. A channel marked unverified answers 403 `forbidden`, as YouTube does.
    private func setThumbnail(_ request: FakeRequest) async throws -> FakeResponse {
        if let refused = await unauthorized(request) { return refused }
        guard request.query("uploadType") == "media" || request.query("uploadType") == nil else {
            return await violation("thumbnails.set takes uploadType=media (got \(request.query("uploadType") ?? "none"))")
        }
        guard let videoID = request.query("videoId"), await state.video(videoID) != nil else {
            return FakeGoogleError(status: 404, reason: "videoNotFound", message: "The video that you are trying to update cannot be found.").response
        }
        guard let length = request.contentLength else { return await violation("thumbnails.set needs a Content-Length") }
        guard length <= Self.maxThumbnailBytes else {
            return FakeGoogleError(status: 400, reason: "mediaBodyTooLarge", message: "The thumbnail is larger than 2 MB.").response
        }
        let bytes = try await request.body.collect(upTo: Int(Self.maxThumbnailBytes))
        guard bytes.count == length else { return await violation("the body is \(bytes.count) bytes, Content-Length says \(length)") }
        if await state.thumbnailsForbidden {
            return FakeGoogleError(
                status: 403, reason: "forbidden",
                message: "The authenticated user doesn't have permissions to upload and set custom video thumbnails.",
                domain: "youtube.thumbnail"
            ).response
        }
        switch FakeImage.check(bytes, declaredType: request.header("Content-Type"), maxBytes: Int(Self.maxThumbnailBytes)) {
        case .failure(let refusal):
            return await violation("invalid thumbnail: \(refusal.message)")
        case .success(let image):
            await state.setThumbnail(image, videoID: videoID)
            let url = "\(request.baseURL)/vi/\(videoID)/default.\(image.format == "png" ? "png" : "jpg")"
            return .json(200, .object([
                "kind": .string("youtube#thumbnailSetResponse"),
                "items": .array([.object(["default": .object(["url": .string(url), "width": .number(120), "height": .number(90)])])]),
            ]))
        }
    }

    /// `thumbnails.set`'s documented size limit.
    public static let maxThumbnailBytes: Int64 = 2 * 1024 * 1024

    private func startSession(_ request: FakeRequest) async throws -> FakeResponse {
        if let refused = await unauthorized(request) { return refused }
        guard request.query("uploadType") == "resumable" else {
            return await violation("uploadType must be resumable (got \(request.query("uploadType") ?? "none"))")
        }
        let parts = Set((request.query("part") ?? "").split(separator: ",").map(String.init))
        guard parts.contains("snippet") else {
            return await violation("part must include snippet (got \(request.query("part") ?? "none"))")
        }
        guard let sizeText = request.header("X-Upload-Content-Length"), let size = Int64(sizeText), size > 0,
            size <= 256_000_000_000
        else {
            return await violation("X-Upload-Content-Length must give the file size")
        }
        guard let contentType = request.header("X-Upload-Content-Type"),
            contentType.hasPrefix("video/") || contentType == "application/octet-stream"
        else { return await violation("X-Upload-Content-Type must be video/* or application/octet-stream") }
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/json") == true else {
            return await violation("the session metadata must be application/json")
        }
        let json: JSONValue
        do { json = try await request.jsonBody() } catch {
            return await violation("the session metadata is not JSON")
        }
        if let error = await state.takeSessionStartError() { return error.response }
        let metadata: FakeYouTubeVideoMetadata
        switch FakeYouTubeVideoMetadata.parse(json, now: state.now()) {
        case .success(let parsed): metadata = parsed
        case .failure(let error): return error.response
        }
        let id = await state.startSession(size: size, contentType: contentType, resource: metadata)
        let location = "\(request.baseURL)/upload/youtube/v3/videos?uploadType=resumable&upload_id=\(id)"
        return FakeResponse(status: 200, headers: [("Location", location), ("X-GUploader-UploadID", id)])
    }

    private func put(_ request: FakeRequest) async throws -> FakeResponse {
        guard request.query("uploadType") == "resumable", let id = request.query("upload_id") else {
            return await violation("a session PUT needs uploadType=resumable and upload_id")
        }
        if let refused = await unauthorized(request) { return refused }
        guard let session = await state.session(id), !session.expired else {
            return FakeGoogleError(
                status: 404, reason: "notFound", message: "The upload session was not found or has expired.",
                domain: "global"
            ).response
        }
        guard let rangeText = request.header("Content-Range"), let range = FakeYouTubeContentRange(rangeText) else {
            return await violation("Content-Range is missing or malformed")
        }
        guard range.total == session.size else {
            return await violation(
                "Content-Range total \(range.total) differs from X-Upload-Content-Length \(session.size)")
        }
        if let videoID = session.videoID, let video = await state.video(videoID) {
            if range.first == nil { await state.noteStatusQuery(id) }
            return .json(200, Self.resource(video))
        }
        guard let first = range.first, let last = range.last else {
            guard (request.contentLength ?? 0) == 0 else {
                return await violation("a status query must have an empty body")
            }
            await state.noteStatusQuery(id)
            return Self.incomplete(stored: session.stored)
        }
        let length = last - first + 1
        guard last < session.size else { return await violation("Content-Range ends past the declared size") }
        guard request.contentLength == length else {
            return await violation(
                "Content-Length \(request.contentLength.map(String.init) ?? "none") differs from the Content-Range's \(length) bytes"
            )
        }
        guard first == session.stored else {
            return await violation(
                "Content-Range starts at \(first) but the session holds \(session.stored) bytes (resend nothing, skip nothing)"
            )
        }
        if last + 1 < session.size, length % Self.chunkGranularity != 0 {
            return await violation("a non-final chunk of \(length) bytes is not a multiple of 256 KiB")
        }
        if let type = request.header("Content-Type"), type != session.contentType {
            return await violation(
                "chunk Content-Type \(type) differs from X-Upload-Content-Type \(session.contentType)")
        }
        guard let number = await state.beginChunk(id, start: first) else {
            return await violation("a second chunk request while one is in flight on the same session")
        }
        switch await state.takeChunkFault(number) {
        case .expireSession?:
            await state.endChunk(id, received: 0)
            await state.expire(session: id)
            return FakeGoogleError(
                status: 404, reason: "notFound", message: "The upload session was not found or has expired.",
                domain: "global"
            ).response
        case .stall?:
            fake.stallSignal.continuation.yield(())
            for await _ in fake.stallRelease.stream { break }
            await state.endChunk(id, received: 0)
            fake.stallDone.continuation.yield(())
            return .dropConnection
        case .chunkError(_, let error)?:
            await state.endChunk(id, received: 0)
            return error.response
        case .chunkStatus(_, let status, let afterStoring)?:
            if afterStoring {
                await receive(request, session: session, limit: length)
            } else {
                await discard(request, session: session, limit: length)
            }
            return FakeGoogleError(status: status, reason: "backendError", message: "Backend Error", domain: "global")
                .response
        case .dropConnection(_, let afterBytes)?:
            await receive(request, session: session, limit: min(Int64(afterBytes), length))
            return .dropConnection
        case .incompleteWhenComplete?:
            let stored = await receive(request, session: session, limit: length)
            if stored == session.size { _ = await state.finish(id) }
            return Self.incomplete(stored: stored)
        default:
            let stored = await receive(request, session: session, limit: length)
            if stored == session.size, let video = await state.finish(id) {
                return .json(201, Self.resource(video))
            }
            return Self.incomplete(stored: stored)
        }
    }

    /// Reads up to `limit` bytes of the chunk, stores them (even when the client goes away mid-body, as a real
    /// server may), and ends the chunk request. Returns the bytes the session now holds.
    @discardableResult
    private func receive(_ request: FakeRequest, session: FakeYouTubeState.SessionView, limit: Int64) async -> Int64 {
        var count: Int64 = 0
        do {
            while count < limit, var buffer = try await request.body.next() {
                let remaining = limit - count
                if Int64(buffer.readableBytes) > remaining {
                    buffer = buffer.getSlice(at: buffer.readerIndex, length: Int(remaining)) ?? buffer
                }
                await state.store(session.id, buffer)
                count += Int64(buffer.readableBytes)
            }
        } catch {
            // The client went away; keep what arrived.
        }
        return await state.endChunk(session.id, received: count)
    }

    /// Reads the chunk and throws it away (a server that failed before storing), counting the bytes received.
    private func discard(_ request: FakeRequest, session: FakeYouTubeState.SessionView, limit: Int64) async {
        let count = (try? await request.body.consume(limit: limit) { _ in }) ?? 0
        await state.endChunk(session.id, received: count)
    }

    private static func incomplete(stored: Int64) -> FakeResponse {
        var headers: [(String, String)] = []
        if stored > 0 { headers.append(("Range", "bytes=0-\(stored - 1)")) }
        return FakeResponse(status: 308, headers: headers)
    }

    private func list(_ request: FakeRequest) async throws -> FakeResponse {
        if let refused = await unauthorized(request) { return refused }
        let known: Set<String> = [
            "id", "snippet", "status", "processingDetails", "contentDetails", "statistics", "player", "fileDetails",
        ]
        let parts = Set((request.query("part") ?? "").split(separator: ",").map(String.init))
        guard !parts.isEmpty, parts.isSubset(of: known) else {
            return await violation("videos.list needs a valid part parameter (got \(request.query("part") ?? "none"))")
        }
        guard let ids = request.query("id")?.split(separator: ",").map(String.init), !ids.isEmpty else {
            return await violation("videos.list needs id")
        }
        if let error = await state.takeVideosListError() { return error.response }
        let items = await state.poll(ids).map { Self.listItem($0, parts: parts) }
        return .json(
            200,
            .object([
                "kind": .string("youtube#videoListResponse"),
                "etag": .string("sandbox-etag"),
                "items": .array(items),
                "pageInfo": .object([
                    "totalResults": .number(Double(items.count)), "resultsPerPage": .number(Double(items.count)),
                ]),
            ]))
    }

    // MARK: Resources

    static func resource(_ video: FakeYouTubeState.Video) -> JSONValue {
        var snippet: [String: JSONValue] = [
            "title": .string(video.metadata.title), "description": .string(video.metadata.description),
            "categoryId": .string(video.metadata.categoryID), "channelId": .string("UCsandboxchannel"),
            "channelTitle": .string("atom sandbox"), "liveBroadcastContent": .string("none"),
        ]
        if !video.metadata.tags.isEmpty { snippet["tags"] = .array(video.metadata.tags.map(JSONValue.string)) }
        return .object([
            "kind": .string("youtube#video"), "etag": .string("sandbox-etag"), "id": .string(video.id),
            "snippet": .object(snippet), "status": .object(status(video, uploadStatus: "uploaded")),
        ])
    }

    private static func status(_ video: FakeYouTubeState.Video, uploadStatus: String) -> [String: JSONValue] {
        var status: [String: JSONValue] = [
            "uploadStatus": .string(uploadStatus), "privacyStatus": .string(video.privacyStatus),
            "license": .string("youtube"),
            "embeddable": .bool(true), "publicStatsViewable": .bool(true),
        ]
        if let publishAt = video.metadata.publishAt { status["publishAt"] = .string(publishAt) }
        if let kids = video.metadata.madeForKids {
            status["selfDeclaredMadeForKids"] = .bool(kids); status["madeForKids"] = .bool(kids)
        }
        if let synthetic = video.metadata.containsSyntheticMedia { status["containsSyntheticMedia"] = .bool(synthetic) }
        return status
    }

    private static func listItem(_ video: FakeYouTubeState.Video, parts: Set<String>) -> JSONValue {
        var item: [String: JSONValue] = [
            "kind": .string("youtube#video"), "etag": .string("sandbox-etag"), "id": .string(video.id),
        ]
        let processing = video.polls <= video.processingPolls
        var status = status(video, uploadStatus: processing ? "uploaded" : "processed")
        var details: [String: JSONValue] = ["processingStatus": .string(processing ? "processing" : "succeeded")]
        if processing {
            let total = max(1, video.processingPolls)
            details["processingProgress"] = .object([
                "partsTotal": .string(String(total)), "partsProcessed": .string(String(video.polls - 1)),
                "timeLeftMs": .string(String((total - video.polls + 1) * 10_000)),
            ])
        } else {
            switch video.outcome.kind {
            case .succeeded:
                break
            case .failed(let reason):
                status["uploadStatus"] = .string("failed")
                status["failureReason"] = .string(reason)
                details["processingStatus"] = .string("failed")
                details["processingFailureReason"] = .string("transcodeFailed")
            case .rejected(let reason):
                status["uploadStatus"] = .string("rejected")
                status["rejectionReason"] = .string(reason)
            }
        }
        if parts.contains("status") { item["status"] = .object(status) }
        if parts.contains("processingDetails") { item["processingDetails"] = .object(details) }
        if parts.contains("snippet"), case .object(let full) = Self.resource(video), let snippet = full["snippet"] {
            item["snippet"] = snippet
        }
        return .object(item)
    }
}

/// `Content-Range: bytes first-last/total` or `bytes */total`.
struct FakeYouTubeContentRange: Equatable {
    var first: Int64?
    var last: Int64?
    var total: Int64

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst("bytes ".count)
        let halves = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, let total = Int64(halves[1]), total >= 0 else { return nil }
        self.total = total
        if halves[0] == "*" {
            first = nil
            last = nil
            return
        }
        let bounds = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, last >= first
        else { return nil }
        self.first = first
        self.last = last
    }
}
