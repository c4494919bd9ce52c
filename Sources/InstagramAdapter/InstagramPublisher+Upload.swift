import Foundation
import GraphAPISupport
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

extension InstagramPublisher {
    /// rupload's `offset` and `file_size` request headers (valid field names, so never `nil`).
    private static let offsetField = HTTPField.Name("offset")
    private static let fileSizeField = HTTPField.Name("file_size")

    /// Pushes the file to the container's rupload URI (`Authorization: OAuth`, `offset`, `file_size`,
    /// streamed from disk). After a failure, or when continuing an earlier run, it asks rupload how many
    /// bytes it holds and sends only the rest.
    func upload(_ file: MediaFileHandle, checkpoint: inout InstagramCheckpoint, resuming: Bool, context: PublishContext)
        async throws
    {
        let uri = try uploadURL(checkpoint)
        let total = file.size
        try await context.retrying(target: uri.retryTarget) { attempt in
            var offset: Int64 = 0
            if attempt > 1 || resuming {
                offset = min(max(try await serverOffset(uri) ?? 0, 0), total)
                if offset > 0 {
                    context.progress.report(
                        .uploading, sent: offset, total: total, message: "resuming at byte \(offset)")
                }
            }
            if offset < total || total == 0 {
                try await send(file, from: offset, to: uri, context: context)
            }
        }
        checkpoint.uploaded = true
        try await context.journal.save(checkpoint)
    }

    /// The container's upload URI as returned, or the documented pattern on the configured rupload host.
    private func uploadURL(_ checkpoint: InstagramCheckpoint) throws -> URL {
        if let text = checkpoint.uploadURI {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                scheme == "https" || scheme == "http", url.host != nil
            else {
                throw InstagramProtocolError.malformedResponse(
                    operationID: "instagram.container.create", detail: "the upload uri is not a URL"
                ).publishError()
            }
            // The token goes with every rupload request: only to Meta's hosts or the configured override.
            let hosts = UploadHostPolicy(
                platform: .instagram, hostFamily: ["facebook.com", "instagram.com"],
                overrides: [configuration.ruploadBase, configuration.baseURL])
            try hosts.check(url, operationID: "instagram.rupload")
            return url
        }
        return configuration.ruploadBase.appending(
            path: "ig-api-upload/\(configuration.apiVersion)/\(checkpoint.containerID)")
    }

    private func ruploadHeaders() async throws -> HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = "OAuth \(try await tokens.token().value)"
        return headers
    }

    /// One POST of `file[offset...]`.
    private func send(_ file: MediaFileHandle, from offset: Int64, to uri: URL, context: PublishContext) async throws {
        let total = file.size
        var headers = try await ruploadHeaders()
        if let name = Self.offsetField { headers[name] = String(offset) }
        if let name = Self.fileSizeField { headers[name] = String(total) }
        headers[.contentType] = "application/octet-stream"
        let body = file.chunks(in: offset..<total).body(
            onChunk: context.progress.byteCounter(startingAt: offset, total: total))
        let request = HTTPRequest(method: .post, absoluteURL: uri, headerFields: headers)
        let (response, responseBody) = try await transport.send(
            request, body: body, baseURL: uri.origin, operationID: "instagram.rupload")
        let bytes = try await HTTPBodies.collect(responseBody)
        try checkRupload(response, bytes: bytes, operationID: "instagram.rupload")
    }

    /// How many bytes rupload holds for this container, or `nil` when it does not say.
    private func serverOffset(_ uri: URL) async throws -> Int64? {
        let request = HTTPRequest(method: .get, absoluteURL: uri, headerFields: try await ruploadHeaders())
        let (response, responseBody) = try await transport.send(
            request, body: nil, baseURL: uri.origin, operationID: "instagram.rupload.offset")
        let bytes = try await HTTPBodies.collect(responseBody)
        guard (200..<300).contains(response.status.code) else {
            let error = ruploadError(response, bytes: bytes, operationID: "instagram.rupload.offset")
            if error.code == .authentication { throw error }
            logger.debug(
                "instagram: rupload offset query failed; sending from the start", metadata: ["error": "\(error)"])
            return nil
        }
        return (try? SnakeCaseJSON.decode(RuploadOffset.self, from: bytes))?.offset
    }

    private func checkRupload(_ response: HTTPResponse, bytes: [UInt8], operationID: String) throws {
        guard (200..<300).contains(response.status.code) else {
            throw ruploadError(response, bytes: bytes, operationID: operationID)
        }
        let answer = RuploadDocument.parse(bytes)
        if answer?.success == false || answer?.debugInfo != nil {
            throw ruploadError(response, bytes: bytes, operationID: operationID)
        }
    }

    /// Maps a rupload failure: Graph-shaped errors through the shared mapper, `debug_info` by its `retriable` flag.
    func ruploadError(_ response: HTTPResponse, bytes: [UInt8], operationID: String) -> PublishError {
        let status = response.status.code
        if GraphAPIError.parse(bytes) != nil {
            return graph.mapper.map(
                status: status, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        let info = RuploadDocument.parse(bytes)?.debugInfo
        let message =
            bytes.isEmpty && info?.message == nil
            ? "HTTP \(status)" : Redaction.outsideText(info?.message ?? String(decoding: bytes.prefix(65_536), as: UTF8.self))
        let type = info?.type ?? ""
        if status == 401 || type.localizedCaseInsensitiveContains("NotAuthorized")
            || type.localizedCaseInsensitiveContains("OAuth")
        {
            return PublishError(
                .authentication, platform: .instagram, operationID: operationID, httpStatus: status,
                platformCode: type.isEmpty ? nil : type,
                message: message,
                remediation: "the access token was refused by the upload host — run `atom auth instagram`")
        }
        let retryable = info?.retriable ?? (status >= 500 || status == 429)
        return PublishError(
            retryable ? .server : .rejected, platform: .instagram, operationID: operationID, httpStatus: status,
            platformCode: type.isEmpty ? nil : type, message: message, retryable: retryable,
            retryAfter: response.headerFields.retryAfter(now: now()))
    }
}
