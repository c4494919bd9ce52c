import Foundation
import NIOCore
import PlatformKit
import PublishingCore
import Synchronization

/// The rupload part of ``FakeFacebook``, mounted at `/rupload` (shared with the Instagram fake): it answers only
/// `POST /video-upload/{version}/{one of its Reels}` and returns `nil` for everything else before reading a body.
///
/// A byte upload needs `Authorization: OAuth <token>`, `offset` equal to the bytes already received and `file_size`
/// equal to the size declared first; the body must be the rest of the file. Bytes received before a dropped
/// connection are kept, and reported as `uploading_phase.bytes_transferred`. A `file_url` header makes the fake
/// download the file instead.
struct FakeFacebookRuploadService: FakeService {
    static let mount = "/rupload"

    let fake: FakeFacebook
    var mountPath: String { Self.mount }

    func sandboxEnvironment(server: FakeServer) -> [String: String] { fake.sandboxEnvironment(server: server) }

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let components = request.path.split(separator: "/").map(String.init)
        guard request.method == "POST", components.count == 3, components[0] == "video-upload",
              components[1].wholeMatch(of: /v[0-9]+\.[0-9]+/) != nil else { return nil }
        let id = components[2]
        guard fake.state.withLock({ $0.videos[id]?.format == .reel }) else { return nil }

        let header = request.header("Authorization") ?? ""
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        let scheme = parts.first
        let expired = fake.state.withLock { state -> Bool in
            state.log.append(FakeFacebook.LoggedRequest(method: request.method, path: request.path, query: request.rawQuery,
                                                        authorizationScheme: scheme, tokenInParameters: false))
            return state.tokenExpired
        }
        guard parts.count == 2, parts[0] == "OAuth", parts[1] == fake.configuration.accessToken, !expired else {
            return FakeFacebookError.ruploadUnauthorized
        }
        if fake.state.withLock({ $0.takeFault { $0 == .ruploadServerError } }) != nil {
            return FakeFacebookError.rupload(503, retriable: true, type: "ServiceUnavailableError", message: "Service temporarily unavailable")
        }
        if let url = request.header("file_url") { return await fetch(url, into: id) }
        return try await receive(request, into: id)
    }

    private func fetch(_ url: String, into id: String) async -> FakeResponse {
        fake.state.withLock { state in
            state.videos[id]?.digest = ReceivedDigest()
            state.videos[id]?.fileURL = url
            state.videos[id]?.uploadRequests += 1
        }
        do {
            let count = try await FakeFacebookDownload.fetch(url) { buffer in fake.state.withLock { $0.videos[id]?.receive(buffer) } }
            fake.state.withLock { state in
                state.videos[id]?.declaredSize = count
                state.videos[id]?.uploadComplete = true
            }
        } catch {
            return FakeFacebookError.rupload(400, retriable: false, type: "ProcessingFailedError",
                                             message: "Failed to download the file from file_url: \(error)")
        }
        return .json(200, .object(["success": .bool(true)]))
    }

    private func receive(_ request: FakeRequest, into id: String) async throws -> FakeResponse {
        guard let offsetText = request.header("offset"), let offset = UInt64(offsetText) else {
            return FakeFacebookError.rupload(400, retriable: false, type: "ParameterValidationError",
                                             message: "HeaderValuePredicate: Header Offset not convertable to unsigned long")
        }
        guard let sizeText = request.header("file_size"), let size = UInt64(sizeText), size > 0 else {
            return FakeFacebookError.rupload(400, retriable: false, type: "ParameterValidationError",
                                             message: "HeaderValuePredicate: Header file_size not convertable to unsigned long")
        }
        let refusal = fake.state.withLock { state -> FakeResponse? in
            guard var video = state.videos[id] else { return FakeFacebookError.rupload(404, retriable: false, type: "NotFound", message: "unknown video") }
            if video.uploadComplete {
                return FakeFacebookError.rupload(400, retriable: false, type: "UploadCompleteError", message: "the upload is already complete")
            }
            if let declared = video.declaredSize, declared != Int64(size) {
                return FakeFacebookError.rupload(400, retriable: false, type: "ParameterValidationError",
                                                 message: "file_size \(size) differs from the \(declared) declared before")
            }
            guard Int64(offset) == video.digest.count else {
                return FakeFacebookError.rupload(400, retriable: true, type: "OffsetMismatchError",
                                                 message: "offset \(offset) does not match the \(video.digest.count) bytes received")
            }
            if let length = request.contentLength, length != Int64(size) - Int64(offset) {
                return FakeFacebookError.rupload(400, retriable: false, type: "ParameterValidationError",
                                                 message: "the body is \(length) bytes; \(Int64(size) - Int64(offset)) were expected from offset \(offset)")
            }
            video.declaredSize = Int64(size)
            video.uploadRequests += 1
            video.uploadOffsets.append(Int64(offset))
            state.videos[id] = video
            return nil
        }
        if let refusal { return refusal }

        let remaining = Int64(size) - Int64(offset)
        var dropAfter: Int64?
        if case .ruploadDropped(let bytes)? = fake.state.withLock({ $0.takeFault { if case .ruploadDropped = $0 { true } else { false } } }) {
            dropAfter = Int64(bytes)
        }
        let received = try await request.body.consume(limit: min(remaining, dropAfter ?? .max)) { buffer in
            fake.state.withLock { $0.videos[id]?.receive(buffer) }
        }
        if dropAfter != nil { return .dropConnection }
        let complete = fake.state.withLock { state -> Bool in
            if received == remaining { state.videos[id]?.uploadComplete = true }
            return received == remaining
        }
        guard complete else {
            return FakeFacebookError.rupload(400, retriable: true, type: "IncompleteUploadError",
                                             message: "the body ended after \(received) of \(remaining) bytes")
        }
        return .json(200, .object(["success": .bool(true)]))
    }
}
