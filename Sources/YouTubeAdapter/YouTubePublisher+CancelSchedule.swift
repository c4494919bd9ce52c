import Foundation
import HTTPTypes
import OpenAPIRuntime
import PublishingCore

/// Cancels a `status.publishAt` schedule: `videos.update` (part `status`) with the video's current status,
/// `privacyStatus` `private` and no `publishAt`. YouTube replaces every `status` field on update, so the
/// current ones are read first and sent back (made-for-kids, embeddable, license, …) rather than reset.
/// Sources: https://developers.google.com/youtube/v3/docs/videos/update ("publishAt … can only be set if the
/// privacy status of the video is private"; omitted mutable properties are deleted on update).
extension YouTubePublisher: ScheduleCancelling {
    public func cancelScheduledPost(postID: String, context: PublishContext) async throws -> String {
        do {
            var status = try await currentStatus(of: postID)
            status["publishAt"] = nil
            status["privacyStatus"] = .string("private")
            // Read-only fields that videos.update refuses or ignores.
            for key in ["uploadStatus", "failureReason", "rejectionReason", "madeForKids"] { status[key] = nil }
            let operationID = "youtube.videos.update"
            var request = HTTPRequest(method: .put, path: "/youtube/v3/videos", query: [("part", "status")])
            request.headerFields[.contentType] = "application/json; charset=UTF-8"
            let resource = JSONValue.object(["id": .string(postID), "status": .object(status)])
            let (response, body) = try await api.send(
                request, body: try HTTPBodies.json(resource), baseURL: configuration.baseURL, operationID: operationID)
            let bytes = try await HTTPBodies.collect(body)
            guard response.status.code == 200 else {
                throw mapper.map(
                    status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
            }
            return "set back to private without a publish time (video \(postID) stays on the channel, unpublished)"
        } catch let failure as YouTubeFailure {
            throw failure.publishError(platform: platform)
        }
    }

    /// The video's `status` object as YouTube returns it.
    private func currentStatus(of videoID: String) async throws -> [String: JSONValue] {
        let operationID = "youtube.videos.list"
        let request = HTTPRequest(
            method: .get, path: "/youtube/v3/videos", query: [("part", "status"), ("id", videoID)])
        let (response, body) = try await api.send(
            request, body: nil, baseURL: configuration.baseURL, operationID: operationID)
        let bytes = try await HTTPBodies.collect(body)
        guard response.status.code == 200 else {
            throw mapper.map(
                status: response.status.code, body: bytes, headers: response.headerFields, operationID: operationID)
        }
        guard let list = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)).objectValue else {
            throw YouTubeFailure.protocolViolation(operationID: operationID, detail: "unreadable videos.list answer")
        }
        let items =
            list["items"].flatMap { value -> [JSONValue]? in if case .array(let items) = value { items } else { nil } }
            ?? []
        guard let item = items.compactMap(\.objectValue).first(where: { $0["id"]?.stringValue == videoID }) else {
            throw PublishError(
                .notFound, platform: platform, operationID: operationID,
                message: "video \(videoID) is not on the channel any more (deleted?)", remediation: "nothing to cancel")
        }
        return item["status"]?.objectValue ?? [:]
    }
}
