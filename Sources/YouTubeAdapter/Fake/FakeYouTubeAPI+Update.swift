import Foundation
import PlatformKit
import PublishingCore

extension FakeYouTubeAPI {
    /// `PUT /youtube/v3/videos?part=status` (`videos.update`): replaces the video's status. As YouTube does, a
    /// `publishAt` needs `privacyStatus` `private`; every status field is replaced, so a missing `publishAt` removes
    /// the schedule and a missing `selfDeclaredMadeForKids` clears the declaration.
    func update(_ request: FakeRequest) async throws -> FakeResponse {
        if let refused = await unauthorized(request) { return refused }
        guard request.query("part") == "status" else {
            return await violation(
                "the sandbox's videos.update takes part=status (got \(request.query("part") ?? "none"))")
        }
        let json: JSONValue
        do { json = try await request.jsonBody() } catch { return await violation("the video resource is not JSON") }
        guard let root = json.objectValue, let id = root["id"]?.stringValue else {
            return await violation("videos.update needs the resource's id")
        }
        guard let status = root["status"]?.objectValue, let privacy = status["privacyStatus"]?.stringValue,
            ["public", "private", "unlisted"].contains(privacy)
        else {
            return FakeGoogleError(
                status: 400, reason: "invalidVideoMetadata", message: "status.privacyStatus is missing or invalid.",
                domain: "youtube.video"
            ).response
        }
        let publishAt = status["publishAt"]?.stringValue
        if publishAt != nil, privacy != "private" {
            return FakeGoogleError(
                status: 400, reason: "invalidPublishAt", message: "publishAt needs privacyStatus private.",
                domain: "youtube.video"
            ).response
        }
        guard
            let video = await state.updateStatus(
                id, privacy: privacy, publishAt: publishAt, madeForKids: status["selfDeclaredMadeForKids"]?.boolValue)
        else {
            return FakeGoogleError(
                status: 404, reason: "videoNotFound",
                message: "The video that you are trying to update cannot be found.",
                domain: "youtube.video"
            ).response
        }
        return .json(200, Self.resource(video))
    }
}
