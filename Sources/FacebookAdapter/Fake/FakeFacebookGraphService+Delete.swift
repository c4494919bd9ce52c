import Foundation
import PlatformKit
import PublishingCore
import Synchronization

extension FakeFacebookGraphService {
    /// `DELETE /{video-id}`: removes a video the fake made (`{"success": true}`), as Graph's Video node allows;
    /// an unknown id is Graph's "Unsupported delete request" (code 100, subcode 33).
    func deleteVideo(_ id: String) -> FakeResponse {
        let removed = fake.state.withLock { state -> Bool in
            guard state.videos[id] != nil else { return false }
            state.videos[id] = nil
            return true
        }
        guard removed else {
            return FakeFacebookError.graph(
                400, code: 100, subcode: 33,
                message: "Unsupported delete request. Object with ID '\(id)' does not exist, "
                    + "cannot be loaded due to missing permissions, or does not support this operation.")
        }
        return .json(200, .object(["success": .bool(true)]))
    }
}
