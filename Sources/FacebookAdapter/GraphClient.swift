import Foundation
import GraphAPISupport
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// Sends the adapter's Graph API and rupload requests through the shared ``GraphEndpoint``: the token in a header,
/// `appsecret_proof` when configured, JSON answers decoded, failures mapped.
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

    /// The Graph host's client.
    var graph: GraphEndpoint {
        GraphEndpoint(
            baseURL: configuration.graphBaseURL, transport: transport, commonQuery: proofQuery,
            headers: { [graphHeaders] in graphHeaders },
            failure: { [self] answer, operationID in
                graphFailure(status: answer.status, body: answer.bytes, headers: answer.headers, operationID: operationID)
            },
            malformed: Self.malformed)
    }

    /// The rupload host's client: its failures are its own documents (or Graph's).
    var rupload: JSONEndpoint {
        JSONEndpoint(
            baseURL: configuration.ruploadBaseURL, transport: transport,
            check: { [self] answer, operationID in
                answer.isSuccess
                    ? nil
                    : ruploadFailure(status: answer.status, body: answer.bytes, headers: answer.headers, operationID: operationID)
            },
            undecodable: Self.malformed)
    }

    /// A GET of a Graph node or edge.
    func get<T: Decodable>(_ path: String, query: [(String, String)] = [], as type: T.Type = T.self, operationID: String) async throws -> T {
        try await graph.get(path, query: query, as: type, operationID: operationID)
    }

    /// A POST with a form-encoded body.
    func post<T: Decodable>(_ path: String, form: [(String, String)], as type: T.Type = T.self, operationID: String) async throws -> T {
        try await graph.post(path, form: form, as: type, operationID: operationID)
    }

    /// A POST with a `multipart/form-data` body streamed from the file.
    func post<T: Decodable>(_ path: String, multipart: MultipartForm, as type: T.Type = T.self, operationID: String) async throws -> T {
        try await graph.post(
            path, body: RequestBody(contentType: multipart.contentType, body: multipart.body), as: type, operationID: operationID)
    }

    /// A DELETE of a Graph node.
    func delete<T: Decodable>(_ path: String, as type: T.Type = T.self, operationID: String) async throws -> T {
        try await graph.endpoint.call(
            .delete, path: path, query: proofQuery, headers: graphHeaders, as: type, operationID: operationID)
    }

    /// A POST to rupload's `/video-upload/{version}/{video-id}` with `Authorization: OAuth` and `extraHeaders`.
    func rupload(videoID: String, headers extraHeaders: HTTPFields, body: HTTPBody?, operationID: String) async throws {
        var headers = extraHeaders
        headers[.authorization] = "OAuth \(configuration.pageAccessToken)"
        let request = HTTPRequest(method: .post, path: "/video-upload/\(configuration.graphVersion)/\(videoID)", headerFields: headers)
        let answer: SuccessAnswer = try rupload.decode(
            try await rupload.send(request, body: body, operationID: operationID), operationID: operationID)
        guard answer.success != false else {
            throw FacebookFailure.unexpectedResponse(operationID: operationID, detail: "rupload answered success: false")
        }
    }

    var graphHeaders: HTTPFields {
        var headers = HTTPFields.bearer(configuration.pageAccessToken)
        headers[.accept] = "application/json"
        return headers
    }

    /// `appsecret_proof`, when the app requires it (it is a hash of the token, not a secret, but it is still masked in logs).
    var proofQuery: [(String, String)] {
        configuration.appSecretProof.map { [("appsecret_proof", $0)] } ?? []
    }

    private static let malformed: JSONEndpoint.Undecodable = { answer, operationID in
        FacebookFailure.unexpectedResponse(operationID: operationID, detail: Redaction.outsideText(bytes: answer.bytes))
    }
}

/// `{"success": true}`.
struct SuccessAnswer: Decodable, Sendable {
    var success: Bool?
}
