import AtomSandbox
import AtomTestSupport
import FacebookAdapter
import Foundation
import PlatformKit
import PublishingCore
import Testing

/// `atom schedule cancel` for Facebook: the scheduled video is deleted (`DELETE /{video-id}`).
@Suite("Facebook: cancelling a scheduled video")
struct FacebookCancelScheduleTests {
    @Test("a scheduled Page video is deleted; deleting it again is refused, naming Facebook")
    func deleteScheduled() async throws {
        let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 2 * 86_400).rounded(.down))
        let job = try await makeJob("landscape.mp4", draft: PostDraft(caption: "Later", scheduledAt: at))
        try await withFacebookFake { fake, _, publisher in
            let receipt = try await publisher.publish(job, context: Recorder().context())
            let id = try #require(receipt.postID)
            #expect(fake.video(id)?.videoState == "SCHEDULED")
            let note = try await publisher.cancelScheduledPost(postID: id, context: Recorder().context())
            #expect(note == "deleted the scheduled video \(id)")
            #expect(fake.video(id) == nil)
            #expect(fake.requests.last?.method == "DELETE")
            #expect(fake.requests.last?.authorizationScheme == "Bearer")
            let error = await #expect(throws: PublishError.self) {
                try await publisher.cancelScheduledPost(postID: id, context: Recorder().context())
            }
            #expect(error?.platform == .facebook)
        }
    }

    @Test("Facebook declares its 10-minute minimum lead, so a sooner time is posted by atom instead")
    func minimumLead() async throws {
        try await withFacebookFake { _, _, publisher in
            #expect(publisher.capabilities.supportsScheduling)
            #expect(publisher.capabilities.minimumScheduleLead == 600)
        }
    }
}
