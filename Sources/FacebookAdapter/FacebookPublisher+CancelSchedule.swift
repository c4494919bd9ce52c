import Foundation
import HTTPTypes
import PublishingCore

/// Cancels a `scheduled_publish_time` schedule by deleting the scheduled video (`DELETE /{video-id}`, answered
/// `{"success": true}`), the one way the Graph API takes back a scheduled Page video or Reel.
/// Source: https://developers.facebook.com/docs/graph-api/reference/video/ ("Deleting": `DELETE /{video-id}`).
extension FacebookPublisher: ScheduleCancelling {
    public func cancelScheduledPost(postID: String, context: PublishContext) async throws -> String {
        let operationID = "facebook.video.delete"
        do {
            return try await delete(postID, operationID: operationID)
        } catch {
            throw FacebookFailure.boundary(error)
        }
    }

    private func delete(_ postID: String, operationID: String) async throws -> String {
        let answer = try await client.delete(client.path(postID), as: SuccessAnswer.self, operationID: operationID)
        guard answer.success != false else {
            throw PublishError(
                .rejected, platform: platform, operationID: operationID,
                message: "Facebook answered success: false to deleting scheduled video \(postID)",
                remediation: "delete it in Meta Business Suite before its time")
        }
        return "deleted the scheduled video \(postID)"
    }
}
