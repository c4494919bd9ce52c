import Foundation
import PlatformKit
import PublishingCore

/// One mount of the ``InstagramFake``: the Instagram Login host, the shared Graph host or the shared
/// rupload host. On the shared mounts it answers only its own requests (its account, containers and
/// media; `/ig-api-upload/…`), decided from the method and path before the body is read, and returns
/// `nil` for the rest so the Facebook fake can answer them.
public struct InstagramFakeService: FakeService {
    /// Where a service is mounted.
    public enum Mount: String, Sendable {
        /// `graph.instagram.com` (Instagram Login).
        case instagramLogin = "/instagram"
        /// `graph.facebook.com` (Facebook Login), shared with the Facebook fake.
        case graph = "/graph"
        /// `rupload.facebook.com`, shared with the Facebook fake.
        case rupload = "/rupload"
    }

    /// The fake whose state this mount serves.
    public let fake: InstagramFake
    /// The mount.
    public let mount: Mount

    /// Creates one mount of `fake`.
    public init(fake: InstagramFake, mount: Mount) {
        self.fake = fake
        self.mount = mount
    }

    public var mountPath: String { mount.rawValue }

    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        switch mount {
        case .rupload: return try await fake.handleRupload(request)
        case .graph, .instagramLogin: return try await fake.handleGraph(request, mount: mount)
        }
    }

    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        mount == .instagramLogin ? fake.sandboxEnvironment(server: server) : [:]
    }
}

extension InstagramFake {
    /// A Graph API error document with Meta's fields.
    nonisolated static func graphError(
        _ status: Int, code: Int, subcode: Int? = nil, message: String, userMessage: String? = nil,
        transient: Bool = false,
        type: String = "OAuthException", trace: String, headers: [(String, String)] = []
    ) -> FakeResponse {
        var error: [String: JSONValue] = [
            "message": .string(message), "type": .string(type), "code": .number(Double(code)),
            "is_transient": .bool(transient), "fbtrace_id": .string(trace),
        ]
        if let subcode { error["error_subcode"] = .number(Double(subcode)) }
        if let userMessage {
            error["error_user_msg"] = .string(userMessage)
            error["error_user_title"] = .string("Instagram")
        }
        return .json(status, .object(["error": .object(error)]), headers: headers)
    }

    /// A rupload error document (`debug_info`), the shape the upload host uses.
    nonisolated static func ruploadError(_ status: Int, type: String, message: String, retriable: Bool = false)
        -> FakeResponse
    {
        .json(
            status,
            .object([
                "debug_info": .object([
                    "retriable": .bool(retriable), "type": .string(type), "message": .string(message),
                ])
            ]))
    }

    nonisolated static func isVersion(_ text: String) -> Bool {
        text.range(of: #"^v[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil
    }

    /// The token of a request: `Authorization: Bearer|OAuth …` or the `access_token` parameter.
    nonisolated static func credentials(of request: FakeRequest) -> (token: String?, scheme: String?, inURL: Bool) {
        let inURL = request.query("access_token") != nil
        if let value = request.header("Authorization") {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { return (String(parts[1]), String(parts[0]), inURL) }
            return (nil, String(value), inURL)
        }
        return (request.query("access_token"), nil, inURL)
    }
}
