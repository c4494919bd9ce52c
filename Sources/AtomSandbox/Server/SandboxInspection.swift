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

/// A fake that can say what it received, for `atom sandbox`'s inspection endpoint and end-to-end tests.
public protocol SandboxInspectable: Sendable {
    /// Uploads received (pushed to it or pulled by it from a URL).
    func sandboxUploads() async -> [SandboxUpload]
    /// Objects it still stores (S3: staged objects not yet deleted).
    func sandboxStoredObjects() async -> [String]
}

extension SandboxInspectable {
    public func sandboxStoredObjects() async -> [String] { [] }
}

/// `GET /_sandbox/state`: what every fake received and still stores, as JSON.
public struct SandboxInspectionService: FakeService {
    public let mountPath = "/_sandbox"
    let fakes: [any SandboxInspectable]

    public init(fakes: [any SandboxInspectable]) { self.fakes = fakes }

    public struct State: Codable, Sendable {
        public var uploads: [SandboxUpload]
        public var storedObjects: [String]
    }

    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        guard request.method == "GET", request.path == "/state" else { return nil }
        var state = State(uploads: [], storedObjects: [])
        for fake in fakes {
            state.uploads += await fake.sandboxUploads()
            state.storedObjects += await fake.sandboxStoredObjects()
        }
        return .json(encoding: state)
    }
}
