import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PlatformKit
import PublishingCore

extension TikTokFake {
    // MARK: PUT {upload_url}

    /// One chunk: headers checked against the upload's plan and progress, the body streamed and hashed, and only a
    /// complete chunk committed (a dropped or refused chunk leaves no bytes behind).
    func upload(_ request: FakeRequest, record: inout TikTokFakeRequestRecord) async throws -> FakeResponse {
        record.contentRange = request.header("Content-Range")
        let start = await state.beginChunk(
            uploadID: request.query("upload_id"), uploadToken: request.query("upload_token"),
            contentType: request.header("Content-Type"),
            contentRange: request.header("Content-Range"), contentLength: request.contentLength
        )
        switch start {
        case .refuse(let status, let code, let message, let contentRange, let publishID):
            record.publishID = publishID
            return await apiError(
                status, code, message, headers: contentRange.map { [("Content-Range", $0)] } ?? [], record: &record)
        case .accept(let id, let index, let length, let generation, let failStatus, let dropAfter):
            record.publishID = id
            if let failStatus {
                await state.abortChunk(id, generation: generation)
                return await apiError(
                    failStatus, failStatus >= 500 ? "internal_error" : "invalid_params",
                    "injected failure of chunk \(index + 1)", record: &record)
            }
            if let dropAfter {
                try await request.body.consume(limit: dropAfter) { _ in }
                await state.abortChunk(id, generation: generation)
                return .dropConnection
            }
            while let buffer = try await request.body.next() {
                await state.feed(id, generation: generation, buffer)
            }
            let result = await state.commitChunk(id, generation: generation, length: length)
            if let error = result.error {
                return await apiError(
                    result.status, "invalid_params", error, headers: [("Content-Range", result.contentRange)],
                    record: &record)
            }
            return FakeResponse(status: result.status, headers: [("Content-Range", result.contentRange)])
        }
    }

    // MARK: status/fetch

    private struct StatusEnvelope: Encodable {
        struct Data: Encodable {
            var status: String
            var failReason: String?
            var publicalyAvailablePostID: [Int64]
            var uploadedBytes: Int64
            var downloadedBytes: Int64

            enum CodingKeys: String, CodingKey {
                case status
                case failReason = "fail_reason"
                case publicalyAvailablePostID = "publicaly_available_post_id"
                case uploadedBytes = "uploaded_bytes"
                case downloadedBytes = "downloaded_bytes"
            }
        }
        struct Error: Encodable {
            var code = "ok"
            var message = ""
            var logID: String
            enum CodingKeys: String, CodingKey {
                case code, message
                case logID = "log_id"
            }
        }
        var data: Data
        var error: Error
    }

    func status(_ request: FakeRequest, record: inout TikTokFakeRequestRecord) async throws -> FakeResponse {
        if let refusal = await prelude(request, endpoint: .status, record: &record) { return refusal }
        guard let body = (try? await request.jsonBody())?.objectValue, body.count == 1,
            let id = body["publish_id"]?.stringValue
        else {
            return await apiError(400, "invalid_params", "the body must be {\"publish_id\": \"…\"}", record: &record)
        }
        record.publishID = id
        var step = await state.poll(id)
        if case .download(let url) = step {
            let (bytes, sha) = await Self.download(url)
            await state.finishDownload(id, bytes: bytes, sha256: sha)
            step = await state.poll(id)
        }
        guard case .respond(let status, let failReason, let postID, let uploaded, let downloaded) = step else {
            return await apiError(400, "invalid_params", "publish_id \(id) does not exist", record: &record)
        }
        let logID = await state.nextLogID()
        let envelope = StatusEnvelope(
            data: .init(
                status: status, failReason: failReason, publicalyAvailablePostID: postID.map { [$0] } ?? [],
                uploadedBytes: uploaded, downloadedBytes: downloaded),
            error: .init(logID: logID)
        )
        return .json(200, encoding: envelope)
    }

    /// Downloads a pulled URL as TikTok would (no redirects followed: anything but 200 fails), hashing the bytes.
    static func download(_ url: URL) async -> (Int64, String?) {
        do {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: url.absoluteString), timeout: .seconds(300))
            guard response.status.code == 200 else { return (0, nil) }
            var digest = ReceivedDigest()
            for try await buffer in response.body { digest.update(buffer) }
            return (digest.count, digest.hex)
        } catch {
            return (0, nil)
        }
    }
}
