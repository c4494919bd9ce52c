import Foundation
import PublishingCore

/// One upload a fake received completely (bytes counted and hashed as they arrived).
public struct SandboxUpload: Codable, Sendable, Equatable {
    /// The platform (or `s3`).
    public var platform: String
    /// The fake's id for it (publish id, video id, object key…).
    public var id: String
    public var bytes: Int64
    public var sha256: String

    public init(platform: String, id: String, bytes: Int64, sha256: String) {
        self.platform = platform
        self.id = id
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A cover a fake received: an image it checked (format, size, hash) or a frame offset.
public struct SandboxCover: Codable, Sendable, Equatable {
    /// The platform.
    public var platform: String
    /// The post or video it belongs to.
    public var id: String
    /// `jpeg` / `png` for an image; `nil` for a frame.
    public var format: String?
    public var bytes: Int?
    public var sha256: String?
    /// The frame's offset, for a frame cover.
    public var frameMs: Int?

    public init(platform: String, id: String, format: String? = nil, bytes: Int? = nil, sha256: String? = nil, frameMs: Int? = nil) {
        self.platform = platform
        self.id = id
        self.format = format
        self.bytes = bytes
        self.sha256 = sha256
        self.frameMs = frameMs
    }

    /// An image cover.
    public init(platform: String, id: String, image: FakeImage) {
        self.init(platform: platform, id: id, format: image.format, bytes: image.size, sha256: image.sha256)
    }
}

/// A fake that can say what it received, for `atom sandbox`'s inspection endpoint and end-to-end tests.
public protocol SandboxInspectable: Sendable {
    /// Uploads received (pushed to it or pulled by it from a URL).
    func sandboxUploads() async -> [SandboxUpload]
    /// Objects it still stores (S3: staged objects not yet deleted).
    func sandboxStoredObjects() async -> [String]
    /// Covers received.
    func sandboxCovers() async -> [SandboxCover]
}

extension SandboxInspectable {
    public func sandboxStoredObjects() async -> [String] { [] }
    public func sandboxCovers() async -> [SandboxCover] { [] }
}

/// `GET /_sandbox/state`: what every fake received and still stores, as JSON.
public struct SandboxInspectionService: FakeService {
    public let mountPath = "/_sandbox"
    let fakes: [any SandboxInspectable]

    public init(fakes: [any SandboxInspectable]) { self.fakes = fakes }

    public struct State: Codable, Sendable {
        public var uploads: [SandboxUpload]
        public var storedObjects: [String]
        public var covers: [SandboxCover] = []
    }

    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "GET", request.path == "/state" else { return nil }
        var state = State(uploads: [], storedObjects: [])
        for fake in fakes {
            state.uploads += await fake.sandboxUploads()
            state.storedObjects += await fake.sandboxStoredObjects()
            state.covers += await fake.sandboxCovers()
        }
        return .json(encoding: state)
    }
}
