import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The three requests of Google's resumable upload protocol [YT-RU]: start a session, send a chunk, ask how much
/// the session holds. Each answers one step; the loop and the retries live in ``YouTubePublisher``.
struct ResumableUploadClient: Sendable {
    /// Where a session stands after a request.
    enum Progress: Sendable, Equatable {
        /// The server holds bytes `0..<offset`; continue from `offset` (after `retryAfter`, if it asked).
        case incomplete(offset: Int64, retryAfter: Duration?)
        /// All bytes are in; the video resource.
        case complete(YouTubeVideoResource)
    }

    let api: any HTTPTransport
    let baseURL: URL
    let mapper: YouTubeErrorMapper
    let logger: Logger

    private static let uploadContentLength = HTTPField.Name("X-Upload-Content-Length")
    private static let uploadContentType = HTTPField.Name("X-Upload-Content-Type")

    /// `POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status` with the metadata.
    /// - Returns: The session URI from `Location` (it authorises the upload by itself: never logged).
    func startSession(_ metadata: YouTubeMetadata, size: Int64, contentType: String) async throws -> URL {
        let operationID = "youtube.upload.start"
        var request = HTTPRequest(
            method: .post, path: "/upload/youtube/v3/videos",
            query: [("uploadType", "resumable"), ("part", "snippet,status")])
        request.headerFields[.contentType] = "application/json; charset=UTF-8"
        if let name = Self.uploadContentLength { request.headerFields[name] = String(size) }
        if let name = Self.uploadContentType { request.headerFields[name] = contentType }
        let (response, body) = try await api.send(
            request, body: try HTTPBodies.json(metadata.insertBody), baseURL: baseURL,
            operationID: operationID)
        let bytes = try await HTTPBodies.collect(body)
        guard (200..<300).contains(response.status.code) else {
            throw mapper.map(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        guard let location = response.headerFields[.location],
            let url = URL(string: location, relativeTo: baseURL)?.absoluteURL,
            url.scheme != nil, url.host != nil
        else {
            throw YouTubeFailure.protocolViolation(
                operationID: operationID, detail: "no Location header in the session answer")
        }
        try checkSession(url)
        return url
    }

    /// Refuses a session URI off Google's hosts (and off the configured override): it authorises the upload by
    /// itself and gets every byte.
    func checkSession(_ session: URL) throws {
        let hosts = UploadHostPolicy(platform: .youtube, hostFamily: ["googleapis.com"], overrides: [baseURL])
        try hosts.check(session, operationID: "youtube.upload.start")
    }

    /// `PUT <session>` with bytes `range` of the file and `Content-Range: bytes first-last/total`.
    func sendChunk(
        session: URL, file: MediaFileHandle, range: Range<Int64>, total: Int64, contentType: String,
        onChunk: @escaping @Sendable (Int) -> Void
    ) async throws -> Progress {
        let operationID = "youtube.upload.chunk"
        var request = HTTPRequest(method: .put, absoluteURL: session)
        request.headerFields[.contentType] = contentType
        request.headerFields[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(total)"
        let body = file.chunks(in: range).body(onChunk: onChunk)
        let (response, responseBody) = try await api.send(
            request, body: body, baseURL: session.origin, operationID: operationID)
        return try await interpret(response, body: responseBody, operationID: operationID)
    }

    /// `PUT <session>` with no body and `Content-Range: bytes */total`: how much the server holds.
    func queryStatus(session: URL, total: Int64) async throws -> Progress {
        let operationID = "youtube.upload.status"
        var request = HTTPRequest(method: .put, absoluteURL: session)
        request.headerFields[.contentRange] = "bytes */\(total)"
        let (response, responseBody) = try await api.send(
            request, body: nil, baseURL: session.origin, operationID: operationID)
        return try await interpret(response, body: responseBody, operationID: operationID)
    }

    private func interpret(_ response: HTTPResponse, body: HTTPBody?, operationID: String) async throws -> Progress {
        let status = response.status.code
        let bytes = try await HTTPBodies.collect(body)
        switch status {
        case 200, 201:
            guard let video = try? JSONDecoder().decode(YouTubeVideoResource.self, from: Data(bytes)) else {
                throw YouTubeFailure.protocolViolation(
                    operationID: operationID, detail: "the finished upload's answer has no video id")
            }
            return .complete(video)
        case 308:
            let offset = try Self.nextOffset(fromRange: response.headerFields[.range], operationID: operationID)
            return .incomplete(offset: offset, retryAfter: response.headerFields.retryAfter(now: mapper.now()))
        case 404, 410:
            throw YouTubeFailure.sessionExpired(status: status)
        default:
            var error = mapper.map(
                status: status, body: bytes, headers: response.headerFields, operationID: operationID)
            if (500...599).contains(status) {
                // Resume after 500, 502, 503, 504; any other 5xx on a session is permanent [YT-RU].
                error.isRetryable = YouTubeErrorMapper.resumableStatuses.contains(status)
            }
            throw error
        }
    }

    /// The first byte not yet stored, from a 308's `Range: bytes=0-<last>`; no `Range` means nothing is stored.
    static func nextOffset(fromRange value: String?, operationID: String) throws -> Int64 {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return 0 }
        let spec = value.hasPrefix("bytes=") ? value.dropFirst("bytes=".count) : Substring(value)
        let bounds = spec.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), first == 0, let last = Int64(bounds[1]), last >= 0 else {
            throw YouTubeFailure.protocolViolation(
                operationID: operationID, detail: "unreadable Range header '\(value.prefix(60))'")
        }
        return last + 1
    }
}
