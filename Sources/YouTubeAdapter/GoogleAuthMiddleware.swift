import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// Adds `Authorization: Bearer <token>` to every YouTube API request; on a 401 it refreshes the token once and
/// sends the same request again [YT-RU] — unless the body can be iterated only once.
struct GoogleAuthMiddleware: HTTPMiddleware {
    let tokens: RefreshingTokenSource

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let token = try await tokens.token()
        var authorized = request
        authorized.headerFields[.authorization] = "Bearer \(token.value)"
        let (response, responseBody) = try await next(authorized, body, baseURL)
        guard response.status.code == 401, body?.iterationBehavior != .single else { return (response, responseBody) }
        _ = try? await HTTPBodies.collect(responseBody, upTo: 64 * 1024)
        let fresh = try await tokens.refresh(replacing: token)
        authorized.headerFields[.authorization] = "Bearer \(fresh.value)"
        return try await next(authorized, body, baseURL)
    }
}
