import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing

@testable import TikTokAdapter

@Suite("TikTok through the orchestrator (record, resume, preflight refusals)")
struct OrchestratorTests {
    @Test("post → processing at --wait, then `atom status` publishes it from the record without a second upload")
    func postThenStatus() async throws {
        try await TemporaryDirectory.with { dir in
            try await TikTokRig.run(fake: TikTokFake.Configuration()) { rig in
                await rig.fake.state.inject(.slowProcessing(polls: 5))
                let orchestrator = Orchestrator(
                    stager: nil, records: RecordStore(directory: dir), clock: ImmediateClock(), jitter: FixedJitter(0.5)
                )
                let request = PostRequest(
                    videoPath: Fixtures.path("vertical.mp4"),
                    targets: [
                        PostTarget(publisher: rig.publisher, draft: PostDraft(caption: "Sunrise", privacy: .public))
                    ],
                    waitLimit: .seconds(5))
                let report = try await orchestrator.post(request)
                let first = try #require(report.results.first)
                #expect(first.status == .processing)
                let record = try #require(try RecordStore(directory: dir).read().entries.first)
                #expect(TikTokCheckpoint.decode(record.checkpoint)?.stage == .processing)

                let resumed = try await orchestrator.resume(
                    [(record, rig.publisher)], file: nil, waitLimit: .seconds(600))
                let final = try #require(resumed.results.first)
                #expect(final.status == .published)
                #expect(final.url?.hasPrefix("https://www.tiktok.com/@sandbox.creator/video/") == true)
                #expect(await rig.fake.state.requests(to: .upload).count == 1)
                #expect(await rig.fake.state.requests(to: .directInit).count == 1)
            }
        }
    }

    @Test("a privacy level the creator lacks stops the post before any byte moves (exit 65)")
    func preflightRefusal() async throws {
        try await TemporaryDirectory.with { dir in
            let creator = TikTokFake.Creator(privacyLevelOptions: ["FOLLOWER_OF_CREATOR", "SELF_ONLY"])
            try await TikTokRig.run(fake: TikTokFake.Configuration(creator: creator)) { rig in
                let orchestrator = Orchestrator(
                    stager: nil, records: RecordStore(directory: dir), clock: ImmediateClock())
                let request = PostRequest(
                    videoPath: Fixtures.path("vertical.mp4"),
                    targets: [PostTarget(publisher: rig.publisher, draft: PostDraft(caption: "x", privacy: .public))])
                let failure = await #expect(throws: ValidationFailure.self) { try await orchestrator.post(request) }
                #expect(failure?.issues.first?.message.contains("PUBLIC_TO_EVERYONE") == true)
                #expect(await rig.fake.state.requests.map(\.endpoint) == [.creatorInfo])
                let entries = try RecordStore(directory: dir).read().entries
                #expect(entries.isEmpty)
            }
        }
    }

    @Test("an unknown manifest key stops the post offline, naming the key")
    func unknownKeyOffline() async throws {
        try await TemporaryDirectory.with { dir in
            try await TikTokRig.run(fake: TikTokFake.Configuration()) { rig in
                let orchestrator = Orchestrator(
                    stager: nil, records: RecordStore(directory: dir), clock: ImmediateClock())
                let draft = PostDraft(
                    caption: "x", options: ["privacy": .string("SELF_ONLY"), "disable_coment": .bool(true)])
                let request = PostRequest(
                    videoPath: Fixtures.path("vertical.mp4"),
                    targets: [PostTarget(publisher: rig.publisher, draft: draft)])
                let failure = await #expect(throws: ValidationFailure.self) { try await orchestrator.post(request) }
                #expect(failure?.issues.map(\.field) == ["platforms.tiktok.disable_coment"])
                #expect(await rig.fake.state.requests.isEmpty)
            }
        }
    }
}
