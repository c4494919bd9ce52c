import Foundation
import PlatformKit
import PublishingCore

/// The Graph API's answer for an id no fake owns — what graph.facebook.com says for an object that does
/// not exist (for example a video id saved by a run against an earlier sandbox). Mount it after the
/// Instagram and Facebook fakes on the shared Graph mount.
public struct GraphUnknownObjectService: FakeService {
    public let mountPath: String

    public init(mountPath: String = "/graph") { self.mountPath = mountPath }

    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let id = request.path.split(separator: "/").dropFirst().first.map(String.init) ?? ""
        let message = "Unsupported \(request.method.lowercased()) request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
        return .json(400, .object(["error": .object([
            "message": .string(message), "type": .string("GraphMethodException"), "code": .number(100),
            "error_subcode": .number(33), "fbtrace_id": .string("AsbxUnknownObject"),
        ])]))
    }
}
