import Foundation
import GraphAPISupport
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// Sends the adapter's Graph API and rupload requests: the token in a header, `appsecret_proof` when configured,
/// JSON answers decoded, failures mapped.
struct GraphClient: Sendable {
    let configuration: FacebookPublisher.Configuration
    let transport: any HTTPTransport
    let logger: Logger
    let now: @Sendable () -> Date
    let mapper = GraphErrorMapper(platform: .facebook, reauthorize: "run `atom auth facebook`")

    /// `/{version}/{components…}`.
    func path(_ components: String...) -> String {
        "/" + ([configuration.graphVersion] + components).joined(separator: "/")
    }

    /// A GET of a Graph node or edge.
    func get<T: Decodable>(_ path: String, query: [(String, String)] = [], as type: T.Type = T.self, operationID: String) async throws -> T {
        let request = HTTPRequest(method: .get, path: path, query: query + proofQuery, headerFields: graphHeaders)
        return try await exchange(request, body: nil, baseURL: configuration.graphBaseURL, as: type, operationID: operationID)
    }

    /// A POST with a form-encoded body.
    func post<T: Decodable>(_ path: String, form: [(String, String)], as type: T.Type = T.self, operationID: String) async throws -> T {
        var headers = graphHeaders
        headers[.contentType] = "application/x-www-form-urlencoded"
        let request = HTTPRequest(method: .post, path: path, query: proofQuery, headerFields: headers)
        return try await exchange(request, body: HTTPBodies.form(form), baseURL: configuration.graphBaseURL, as: type, operationID: operationID)
    }

    /// A POST with a `multipart/form-data` body streamed from the file.
    func post<T: Decodable>(_ path: String, multipart: MultipartForm, as type: T.Type = T.self, operationID: String) async throws -> T {
        var headers = graphHeaders
        headers[.contentType] = multipart.contentType
        let request = HTTPRequest(method: .post, path: path, query: proofQuery, headerFields: headers)
        return try await exchange(request, body: multipart.body, baseURL: configuration.graphBaseURL, as: type, operationID: operationID)
    }

    /// A POST to rupload's `/video-upload/{version}/{video-id}` with `Authorization: OAuth` and `extraHeaders`.
    func rupload(videoID: String, headers extraHeaders: HTTPFields, body: HTTPBody?, operationID: String) async throws {
        var headers = extraHeaders
        headers[.authorization] = "OAuth \(configuration.pageAccessToken)"
        let request = HTTPRequest(method: .post, path: "/video-upload/\(configuration.graphVersion)/\(videoID)", headerFields: headers)
        let answer = try await exchange(request, body: body, baseURL: configuration.ruploadBaseURL, as: SuccessAnswer.self,
                                        operationID: operationID, rupload: true)
        guard answer.success != false else {
            throw FacebookFailure.unexpectedResponse(operationID: operationID, detail: "rupload answered success: false")
        }
    }

    var graphHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(configuration.pageAccessToken)"
        headers[.accept] = "application/json"
        return headers
    }

    /// `appsecret_proof`, when the app requires it (it is a hash of the token, not a secret, but it is still masked in logs).
    var proofQuery: [(String, String)] {
        configuration.appSecretProof.map { [("appsecret_proof", $0)] } ?? []
    }

    func exchange<T: Decodable>(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, as type: T.Type, operationID: String, rupload: Bool = false
    ) async throws -> T {
        logger.debug("facebook request", metadata: ["operation": "\(operationID)", "method": "\(request.method)"])
        let (response, responseBody) = try await transport.send(request, body: body, baseURL: baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(responseBody)
        let status = response.status.code
        logger.debug("facebook response", metadata: ["operation": "\(operationID)", "status": "\(status)"])
        guard (200..<300).contains(status) else {
            throw rupload
                ? ruploadFailure(status: status, body: bytes, headers: response.headerFields, operationID: operationID)
                : graphFailure(status: status, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        // Graph sometimes answers 200 with an error document.
        if !rupload, GraphAPIError.parse(bytes) != nil {
            throw graphFailure(status: status, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw FacebookFailure.unexpectedResponse(operationID: operationID, detail: Redaction.outsideText(bytes: bytes))
        }
    }
}

/// `{"success": true}`.
struct SuccessAnswer: Decodable, Sendable {
    var success: Bool?
}
