import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// The Content Posting API calls, over the injected transport: bearer auth, the `data`/`error` envelope,
/// one refresh-and-retry after `access_token_invalid`, and the chunk PUTs to `upload_url`.
struct TikTokClient: Sendable {
    let configuration: TikTokPublisher.Configuration
    let transport: any HTTPTransport
    let tokens: RefreshingTokenSource
    let now: @Sendable () -> Date

    /// `POST /v2/post/publish/creator_info/query/`.
    func creatorInfo() async throws -> TikTokCreatorInfo {
        try await call(
            "/v2/post/publish/creator_info/query/", body: nil as TikTokStatusRequest?, operationID: "tiktok.creatorInfo"
        )
    }

    /// `POST /v2/post/publish/video/init/` (direct post) or `/v2/post/publish/inbox/video/init/` (draft).
    func initialize(_ request: TikTokInitRequest, inbox: Bool) async throws -> TikTokInitData {
        if inbox {
            return try await call("/v2/post/publish/inbox/video/init/", body: request, operationID: "tiktok.inbox.init")
        }
        return try await call("/v2/post/publish/video/init/", body: request, operationID: "tiktok.init")
    }

    /// `POST /v2/post/publish/status/fetch/`.
    func status(publishID: String) async throws -> TikTokStatusData {
        try await call(
            "/v2/post/publish/status/fetch/", body: TikTokStatusRequest(publishID: publishID),
            operationID: "tiktok.status")
    }

    /// Calls a JSON endpoint; after `access_token_invalid` refreshes the token once and calls again.
    private func call<Body: Encodable & Sendable, Payload: Decodable & Sendable>(
        _ path: String, body: Body?, operationID: String
    ) async throws -> Payload {
        let token = try await tokens.token()
        do {
            return try await send(path, body: body, token: token, operationID: operationID)
        } catch let error as PublishError where error.code == .authentication && error.httpStatus == 401 {
            let fresh = try await tokens.refresh(replacing: token)
            return try await send(path, body: body, token: fresh, operationID: operationID)
        }
    }

    private struct ErrorOnly: Decodable { var error: TikTokAPIError? }

    /// The Content Posting API as a kit endpoint: TikTok's `error` object (on any status) or a non-2xx status
    /// mapped by ``TikTokErrorMapper``.
    private var endpoint: JSONEndpoint {
        JSONEndpoint(
            baseURL: configuration.baseURL, transport: transport,
            check: { [now] answer, operationID in Self.failure(answer, now: now(), operationID: operationID) },
            undecodable: { answer, operationID in
                TikTokProtocolError.undecodable(
                    operationID: operationID, status: answer.status, snippet: Redaction.outsideText(bytes: answer.bytes)
                ).publishError
            })
    }

    /// TikTok's error for an answer, or `nil` for a success.
    private static func failure(_ answer: EndpointAnswer, now: Date, operationID: String) -> (any Error)? {
        if let error = (try? SnakeCaseJSON.decode(ErrorOnly.self, from: answer.bytes))?.error, !error.isOK {
            return TikTokErrorMapper.map(
                error, status: answer.status, headers: answer.headers, now: now, operationID: operationID)
        }
        guard answer.isSuccess else {
            return TikTokErrorMapper.map(
                status: answer.status, body: answer.bytes, headers: answer.headers, now: now, operationID: operationID)
        }
        return nil
    }

    private func send<Body: Encodable & Sendable, Payload: Decodable & Sendable>(
        _ path: String, body: Body?, token: AccessToken, operationID: String
    ) async throws -> Payload {
        let endpoint = endpoint
        var headers = HTTPFields.bearer(token.value)
        headers[.contentType] = "application/json; charset=UTF-8"  // TikTok wants it even without a body
        let answer = try await endpoint.send(
            .post, path: path, headers: headers, body: try body.map { try RequestBody.json($0) },
            operationID: operationID)
        guard let data = try endpoint.decode(answer, as: TikTokEnvelope<Payload>.self, operationID: operationID).data else {
            throw TikTokProtocolError.missingData(operationID: operationID, status: answer.status).publishError
        }
        return data
    }

    /// What TikTok's upload host said about one chunk.
    enum ChunkAnswer: Sendable, Equatable {
        /// 206: stored, more expected.
        case stored
        /// 201: every byte is there; TikTok starts processing.
        case complete
        /// 416: the chunk does not follow what TikTok has; `received` is its byte count, if it said.
        case outOfStep(received: Int64?)
        /// 403 or 404: the `upload_url` expired or its task is gone; a new init is needed.
        case expired(status: Int)
    }

    /// `PUT {upload_url}` of one chunk, streamed from the file with `Content-Range` and `Content-Type`.
    /// - Throws: A retryable ``PublishError`` for 429/5xx, a ``TransportError`` for a dropped connection, and
    ///   a permanent one for anything else.
    func putChunk(
        to uploadURL: URL, range: Range<Int64>, total: Int64, file: MediaFileHandle, contentType: String,
        onChunk: @escaping @Sendable (Int) -> Void
    ) async throws -> ChunkAnswer {
        let operationID = "tiktok.upload.chunk"
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(total)"
        let (response, responseBody) = try await transport.send(
            HTTPRequest(method: .put, absoluteURL: uploadURL, headerFields: fields),
            body: file.chunks(in: range).body(onChunk: onChunk),
            baseURL: uploadURL.origin, operationID: operationID
        )
        let bytes = try await HTTPBodies.collect(responseBody, upTo: 64 * 1024)
        let status = response.status.code
        switch status {
        case 206: return .stored
        case 200, 201: return .complete
        case 416: return .outOfStep(received: ContentRange.receivedCount(response.headerFields[.contentRange]))
        case 403, 404: return .expired(status: status)
        default:
            if let error = (try? SnakeCaseJSON.decode(ErrorOnly.self, from: bytes))?.error, !error.isOK {
                throw TikTokErrorMapper.map(
                    error, status: status, headers: response.headerFields, now: now(), operationID: operationID)
            }
            if status == 400 {
                let text = Redaction.outsideText(bytes: bytes)
                throw PublishError(
                    .protocolViolation, platform: .tiktok, operationID: operationID, httpStatus: status,
                    message: "TikTok refused the chunk's headers" + (text.isEmpty ? "" : ": \(text)"))
            }
            throw TikTokErrorMapper.map(
                status: status, body: bytes, headers: response.headerFields, now: now(), operationID: operationID)
        }
    }
}

/// `Content-Range: bytes first-last/total` as TikTok's upload host answers it.
enum ContentRange {
    /// How many bytes TikTok holds (`last + 1` of `bytes 0-last/total`), or `nil` when unparseable.
    static func receivedCount(_ value: String?) -> Int64? {
        guard let value, let range = value.split(separator: " ").last?.split(separator: "/").first else { return nil }
        let bounds = range.split(separator: "-")
        guard bounds.count == 2, let last = Int64(bounds[1]) else { return nil }
        return last + 1
    }
}
