import Foundation
import NIOCore
import PlatformKit
import PublishingCore

/// The toy platform's loopback fake: `POST /videos` stores a video (bytes counted and hashed as they arrive),
/// `GET /videos/{id}` answers `processing` at the first poll and `ready` after.
public final class ToyFake: FakeService, SandboxInspectable {
    /// The token the fake accepts (and the sandbox hands out).
    public static let token = "sandbox-toy-token"
    public let mountPath = "/toy"
    private let videos = LockedBox<[String: Video]>([:])

    private struct Video {
        var bytes: Int64
        var sha256: String
        var polls = 0
    }

    /// A fresh fake with no videos.
    public init() {}

    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.bearerToken == Self.token else { return .json(401, .object(["error": .string("bad token")])) }
        if request.method == "POST", request.path == "/videos" {
            var digest = ReceivedDigest()
            _ = try await request.body.consume { digest.update($0) }
            let id = "toy-" + UUID().uuidString.prefix(8).lowercased()
            let video = Video(bytes: digest.count, sha256: digest.hex)
            videos.withLock { $0[id] = video }
            return .json(201, .object(["id": .string(id)]))
        }
        if request.method == "GET", request.path.hasPrefix("/videos/") {
            let id = String(request.path.dropFirst("/videos/".count))
            let status: String? = videos.withLock { videos in
                guard var video = videos[id] else { return nil }
                video.polls += 1
                videos[id] = video
                return video.polls > 1 ? "ready" : "processing"
            }
            guard let status else { return .json(404, .object(["error": .string("no such video")])) }
            return .json(200, .object(["id": .string(id), "status": .string(status)]))
        }
        return nil
    }

    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        ["ATOM_TOY_API_BASE": server.baseURL(for: mountPath).absoluteString, "TOY_TOKEN": Self.token]
    }

    public func sandboxUploads() async -> [SandboxUpload] {
        videos.withLock { videos in
            videos.sorted { $0.key < $1.key }.map { SandboxUpload(platform: "toy", id: $0.key, bytes: $0.value.bytes, sha256: $0.value.sha256) }
        }
    }
}
