import Crypto
import Foundation
import PlatformKit
import PublishingCore
import Synchronization

/// The Graph API part of ``FakeFacebook``, mounted at `/graph` next to the Instagram fake: it answers only
/// `/{version}/{its page}/video_reels`, `/{version}/{its page}/videos`, `GET /{version}/{its page}` (fields
/// `id`, `name`) and `GET /{version}/{one of its videos}`, and returns `nil` for everything else before reading a body.
struct FakeFacebookGraphService: FakeService {
    static let mount = "/graph"

    let fake: FakeFacebook
    var mountPath: String { Self.mount }
    var configuration: FakeFacebook.Configuration { fake.configuration }

    func sandboxEnvironment(server: FakeServer) -> [String: String] { fake.sandboxEnvironment(server: server) }

    enum Route {
        case page
        case reels
        case videos
        case video(String)
        case thumbnails(String)
        case deleteVideo(String)
    }

    /// Request parameters: query, then the body (form, JSON or multipart) over it.
    struct Parameters {
        var values: [String: String]
        var multipart: FakeMultipart?
        subscript(_ name: String) -> String? { values[name] }
    }

    func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard let route = route(request) else { return nil }
        if case .videos = route, FakeMultipart.boundary(in: request.header("Content-Type")) != nil {
            return try await transfer(request)
        }
        let parameters: Parameters
        do {
            let limit = if case .thumbnails = route { Self.maxThumbnailBytes + (64 << 10) } else { 1 << 20 }
            parameters = try await readParameters(request, multipartLimit: limit)
        } catch is FakeBodyTooLarge {
            return FakeFacebookError.parameter("request body too large")
        }
        if let refusal = authenticate(request, parameters) { return refusal }
        switch route {
        case .page:
            if let error = fake.state.withLock({ $0.takeGraphError(for: .page) }) { return FakeFacebookError.graph(error) }
            return .json(200, .object(["id": .string(configuration.pageID), "name": .string(configuration.pageName)]))
        case .reels:
            return await reels(request, parameters)
        case .videos:
            return await videos(request, parameters)
        case .video(let id):
            return status(id, parameters)
        case .thumbnails(let id):
            return thumbnail(id, parameters)
        case .deleteVideo(let id):
            return deleteVideo(id)
        }
    }

    // MARK: Routing

    private func route(_ request: FakeRequest) -> Route? {
        let components = request.path.split(separator: "/").map(String.init)
        guard components.count >= 2, components[0].wholeMatch(of: /v[0-9]+\.[0-9]+/) != nil else { return nil }
        let node = components[1]
        if node == configuration.pageID {
            if components.count == 2, request.method == "GET" {
                let fields = (request.query("fields") ?? "id").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                return fields.allSatisfy { ["id", "name"].contains($0) } ? .page : nil
            }
            guard components.count == 3, request.method == "POST" else { return nil }
            switch components[2] {
            case "video_reels": return .reels
            case "videos": return .videos
            default: return nil
            }
        }
        if components.count == 2, request.method == "GET", fake.state.withLock({ $0.videos[node] != nil }) { return .video(node) }
        if components.count == 3, components[2] == "thumbnails", request.method == "POST",
            fake.state.withLock({ $0.videos[node] != nil })
        {
            return .thumbnails(node)
        }
        if components.count == 2, request.method == "DELETE" { return .deleteVideo(node) }
        return nil
    }

    // MARK: Parameters and auth

    func readParameters(_ request: FakeRequest, multipartLimit: Int = 1 << 20) async throws -> Parameters {
        var values: [String: String] = [:]
        for (name, value) in request.queryItems where values[name] == nil { values[name] = value }
        let contentType = request.header("Content-Type")?.lowercased() ?? ""
        var multipart: FakeMultipart?
        if let boundary = FakeMultipart.boundary(in: request.header("Content-Type")) {
            let bytes = try await FakeMultipart.collect(request.body, upTo: multipartLimit)
            multipart = FakeMultipart(bytes, boundary: boundary)
            for (name, value) in multipart?.fields ?? [] { values[name] = value }
        } else if contentType.hasPrefix("application/json") {
            if case .object(let object) = try? await request.jsonBody() {
                for (name, value) in object { values[name] = Self.text(value) }
            }
        } else if contentType.hasPrefix("application/x-www-form-urlencoded") || request.method == "POST" {
            for (name, value) in try await request.formFields() { values[name] = value }
        }
        return Parameters(values: values, multipart: multipart)
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number): return number.rounded() == number ? String(Int64(number)) : String(number)
        case .null: return ""
        default: return (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? ""
        }
    }

    /// Checks the token (header or `access_token`), the expiry fault and `appsecret_proof`; logs the request.
    func authenticate(_ request: FakeRequest, _ parameters: Parameters) -> FakeResponse? {
        var token: String?
        var scheme: String?
        if let header = request.header("Authorization") {
            let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2, ["bearer", "oauth"].contains(parts[0].lowercased()) {
                scheme = parts[0]
                token = parts[1]
            }
        }
        let inParameters = parameters["access_token"] != nil
        if token == nil { token = parameters["access_token"] }
        let expired = fake.state.withLock { state in
            state.log.append(FakeFacebook.LoggedRequest(method: request.method, path: request.path, query: request.rawQuery,
                                                        authorizationScheme: scheme, tokenInParameters: inParameters))
            return state.tokenExpired
        }
        guard let token else { return FakeFacebookError.missingToken }
        guard token == configuration.accessToken else { return FakeFacebookError.invalidToken }
        if expired { return FakeFacebookError.expiredToken }
        if let secret = configuration.appSecret {
            guard let proof = parameters["appsecret_proof"] else {
                return FakeFacebookError.parameter("API calls from the server require an appsecret_proof argument")
            }
            let key = SymmetricKey(data: Data(secret.utf8))
            let expected = FileDigest.hex(HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key))
            guard proof == expected else { return FakeFacebookError.parameter("Invalid appsecret_proof provided in the API argument") }
        }
        return nil
    }

    /// The `scheduled_publish_time` check shared by Reels and Page videos: Unix seconds within the window.
    func checkSchedule(_ value: String, format: FakeFacebookVideo.Format) -> FakeResponse? {
        guard let seconds = Int64(value) else { return FakeFacebookError.parameter("scheduled_publish_time must be a Unix timestamp") }
        let lead = TimeInterval(seconds) - configuration.now().timeIntervalSince1970
        let latest = format == .reel ? configuration.maximumReelScheduleLead : configuration.maximumVideoScheduleLead
        guard lead >= configuration.minimumScheduleLead, lead <= latest else {
            return FakeFacebookError.graph(
                400, code: 100, message: "(#100) The specified scheduled publish time is invalid.",
                userTitle: "Invalid scheduled publish time",
                userMessage: "The scheduled publish time must be between 10 minutes and \(Int(latest / 86_400)) days from now.")
        }
        return nil
    }
}
