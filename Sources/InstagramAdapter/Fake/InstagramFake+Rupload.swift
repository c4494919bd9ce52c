import Foundation
import NIOCore
import PlatformKit
import PublishingCore

extension InstagramFake {
    /// Answers `/ig-api-upload/{version}/{container}` on the rupload host: `POST` takes bytes from the
    /// `offset` header on (`Authorization: OAuth`, `file_size`), `GET` says how many bytes it holds.
    /// Any other path belongs to someone else (the Facebook fake's `/video-upload/…`): `nil`.
    nonisolated func handleRupload(_ request: FakeRequest) async throws -> FakeResponse? {
        let segments = request.path.split(separator: "/").map(String.init)
        guard segments.count == 3, segments[0] == "ig-api-upload" else { return nil }
        let (version, id) = (segments[1], segments[2])
        let auth = Self.credentials(of: request)
        await record(
            Request(
                mount: InstagramFakeService.Mount.rupload.rawValue, method: request.method, path: request.path,
                authScheme: auth.scheme, tokenInURL: auth.inURL))
        if let refusal = await ruploadRefusal(id: id, version: version, scheme: auth.scheme, token: auth.token) {
            return refusal
        }
        switch request.method {
        case "GET":
            return await uploadState(id)
        case "POST":
            return try await receive(request, id: id)
        default:
            return Self.ruploadError(405, type: "InvalidRequest", message: "Method \(request.method) is not allowed")
        }
    }

    /// Why a rupload request is refused before its body is read, if it is.
    func ruploadRefusal(id: String, version: String, scheme: String?, token: String?) -> FakeResponse? {
        if ruploadBusy > 0 {
            ruploadBusy -= 1
            return Self.ruploadError(
                503, type: "ServiceUnavailable", message: "The upload service is busy, please retry", retriable: true)
        }
        guard scheme?.lowercased() == "oauth" else {
            return Self.ruploadError(
                400, type: "NotAuthorizedError", message: "Use an `Authorization: OAuth <token>` header")
        }
        guard isValid(token: token) else {
            return Self.ruploadError(
                400, type: "NotAuthorizedError", message: "User not authorized to perform this request")
        }
        guard let container = containers[id] else {
            return Self.ruploadError(400, type: "InvalidRequest", message: "Invalid container id \(id)")
        }
        guard container.resumable else {
            return Self.ruploadError(
                400, type: "InvalidRequest", message: "Container \(id) was not created with upload_type=resumable")
        }
        guard version == container.version else {
            return Self.ruploadError(
                400, type: "InvalidRequest",
                message: "Version \(version) does not match the container's \(container.version)")
        }
        return nil
    }

    func uploadState(_ id: String) -> FakeResponse {
        let container = containers[id]
        var answer: [String: JSONValue] = ["id": .string(id), "offset": .number(Double(container?.byteCount ?? 0))]
        if let size = container?.declaredSize { answer["file_size"] = .number(Double(size)) }
        return .json(200, .object(answer))
    }

    /// Takes the body of one upload POST, appending to what the container already holds.
    nonisolated func receive(_ request: FakeRequest, id: String) async throws -> FakeResponse {
        guard let offset = request.header("offset").flatMap({ Int64($0) }), offset >= 0 else {
            return Self.ruploadError(400, type: "InvalidRequest", message: "The offset header is required (an integer)")
        }
        guard let size = request.header("file_size").flatMap({ Int64($0) }), size > 0 else {
            return Self.ruploadError(400, type: "InvalidRequest", message: "The file_size header is required (bytes)")
        }
        if let refusal = await beginUpload(id: id, offset: offset, size: size, contentLength: request.contentLength) {
            return refusal
        }
        let drop = await takeRuploadDrop()
        let limit = drop ?? (size - offset)
        // Each chunk is kept as it arrives, so a dropped connection leaves the bytes before the drop stored.
        var remaining = limit
        while remaining > 0, var chunk = try await request.body.next() {
            if Int64(chunk.readableBytes) > remaining {
                chunk = chunk.getSlice(at: chunk.readerIndex, length: Int(remaining)) ?? chunk
            }
            remaining -= Int64(chunk.readableBytes)
            await appendUpload(id: id, chunk)
        }
        if drop != nil { return .dropConnection }
        return await completeUpload(id: id, size: size)
    }

    func beginUpload(id: String, offset: Int64, size: Int64, contentLength: Int64?) -> FakeResponse? {
        guard var container = containers[id] else {
            return Self.ruploadError(400, type: "InvalidRequest", message: "Invalid container id")
        }
        if size > Self.maxVideoBytes {
            return Self.ruploadError(400, type: "FileTooLarge", message: "file_size \(size) is over the 300 MB limit")
        }
        if let declared = container.declaredSize, declared != size {
            return Self.ruploadError(
                400, type: "InvalidRequest", message: "file_size \(size) differs from the \(declared) declared earlier")
        }
        if offset == 0, container.byteCount > 0 {
            container.byteCount = 0
            uploadDigests[id] = ReceivedDigest()
        }
        guard offset == container.byteCount else {
            return Self.ruploadError(
                400, type: "OffsetMismatch",
                message: "offset \(offset) does not match the \(container.byteCount) bytes received")
        }
        if let contentLength, contentLength != size - offset {
            return Self.ruploadError(
                400, type: "InvalidRequest",
                message: "Content-Length \(contentLength) is not file_size - offset (\(size - offset))")
        }
        container.declaredSize = size
        container.uploadOffsets.append(offset)
        containers[id] = container
        return nil
    }

    func appendUpload(id: String, _ chunk: ByteBuffer) {
        guard var container = containers[id] else { return }
        var digest = uploadDigests[id] ?? ReceivedDigest()
        digest.update(chunk)
        container.byteCount = digest.count
        if let size = container.declaredSize, digest.count == size { container.sha256 = digest.hex }
        uploadDigests[id] = digest
        containers[id] = container
    }

    func takeRuploadDrop() -> Int64? {
        ruploadDrops.isEmpty ? nil : ruploadDrops.removeFirst()
    }

    func completeUpload(id: String, size: Int64) -> FakeResponse {
        guard let container = containers[id], container.byteCount == size else {
            let count = containers[id]?.byteCount ?? 0
            return Self.ruploadError(
                400, type: "IncompleteUpload", message: "received \(count) of \(size) bytes", retriable: true)
        }
        return .json(200, .object(["success": .bool(true), "message": .string("Upload successful.")]))
    }
}
