import Foundation
import GraphAPISupport
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// Sends Graph API requests for one Instagram account: versioned paths, the token in an
/// `Authorization: Bearer` header (never in the URL), JSON answers, Graph errors mapped to ``PublishError``.
struct InstagramGraphClient: Sendable {
    let configuration: InstagramConfiguration
    let transport: any HTTPTransport
    let tokens: InstagramTokens
    let mapper = GraphErrorMapper(platform: .instagram, reauthorize: "run `atom auth instagram`")

    /// `GET /{version}/{segments…}?query`.
    func get<T: Decodable>(_ segments: [String], query: [(String, String)] = [], operationID: String) async throws -> T
    {
        let request = HTTPRequest(
            method: .get, path: path(segments), query: query, headerFields: try await authorized())
        return try await send(request, body: nil, operationID: operationID)
    }

    /// `POST /{version}/{segments…}` with a form-encoded body.
    func post<T: Decodable>(_ segments: [String], form: [(String, String)], operationID: String) async throws -> T {
        var headers = try await authorized()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let request = HTTPRequest(method: .post, path: path(segments), headerFields: headers)
        return try await send(request, body: HTTPBodies.form(form), operationID: operationID)
    }

    /// Decodes a Graph answer, or throws the mapped error.
    func decode<T: Decodable>(_ response: HTTPResponse, bytes: [UInt8], operationID: String) throws -> T {
        let status = response.status.code
        guard (200..<300).contains(status) else {
            throw mapper.map(status: status, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        if let error = GraphAPIError.parse(bytes) {
            throw mapper.map(error, status: status, headers: response.headerFields, operationID: operationID)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            let detail = Redaction.outsideText(bytes: bytes)
            throw InstagramProtocolError.malformedResponse(operationID: operationID, detail: detail).publishError()
        }
    }

    private func send<T: Decodable>(_ request: HTTPRequest, body: HTTPBody?, operationID: String) async throws -> T {
        let (response, responseBody) = try await transport.send(
            request, body: body, baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(responseBody)
        return try decode(response, bytes: bytes, operationID: operationID)
    }

    private func authorized() async throws -> HTTPFields {
        let token = try await tokens.token()
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token.value)"
        headers[.accept] = "application/json"
        return headers
    }

    private func path(_ segments: [String]) -> String {
        "/" + ([configuration.apiVersion] + segments.map(FormEncoding.escape)).joined(separator: "/")
    }
}
