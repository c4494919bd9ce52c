import AtomSandbox
import AtomTestSupport
import Foundation
import NIOCore
import NIOPosix
import PlatformKit
import PublishingCore
import PublishingEngine
import Testing

@Suite("Record integrity and separate records")
struct RecordIntegrityTests {
    func request(_ publishers: [any Publisher]) -> PostRequest {
        PostRequest(
            videoPath: Fixtures.path("vertical.mp4"),
            targets: publishers.map { PostTarget(publisher: $0, draft: PostDraft(caption: "hello")) })
    }

    @Test("a failed final record write is reported: the post is live but not recorded, with its id and URL")
    func finalWriteFails() async throws {
        try await TemporaryDirectory.with { dir in
            let records = RecordStore(directory: dir + "/state")
            let orchestrator = Orchestrator(stager: nil, records: records, clock: ImmediateClock(), jitter: FixedJitter(0.5))
            let live = ScriptedPublisher("live") { _, _ in
                // While the platform publishes, the record becomes unwritable (here: corrupted by something else).
                try "{ not json".write(toFile: records.path, atomically: true, encoding: .utf8)
                return PublishReceipt(status: .published, postID: "P-77", url: "https://live.example/p/77")
            }
            let report = try await orchestrator.post(request([live]))
            let result = try #require(report.results.first)
            #expect(result.status == .published)
            #expect(report.hasRecordErrors)
            let message = try #require(result.recordError?.message)
            #expect(message.contains("live"))
            #expect(message.contains("P-77"))
            #expect(message.contains("https://live.example/p/77"))
            #expect(result.recordError?.code == "storage")
        }
    }

    @Test("a record opened on another file is its own: a post in one never counts for the other, and each keeps its own")
    func separateRecordFiles() async throws {
        try await TemporaryDirectory.with { dir in
            let records = RecordStore(directory: dir + "/state")
            let other = RecordStore(directory: dir + "/state", baseName: "other-records")
            #expect(records.path == dir + "/state/records.json")
            #expect(other.path == dir + "/state/other-records.json")
            let calls = LockedBox(0)
            let publisher = ScriptedPublisher("p") { _, _ in
                calls.withLock { $0 += 1 }
                return PublishReceipt(status: .published, postID: "x", url: "http://127.0.0.1:1/fake")
            }
            let first = Orchestrator(stager: nil, records: other, clock: ImmediateClock(), jitter: FixedJitter(0.5))
            let second = Orchestrator(stager: nil, records: records, clock: ImmediateClock(), jitter: FixedJitter(0.5))
            let inOther = try await first.post(request([publisher]))
            let inRecords = try await second.post(request([publisher]))
            #expect(inOther.results.first?.status == .published)
            #expect(inRecords.results.first?.status == .published)
            #expect(calls.value == 2)
            // The same file again in the first record: a duplicate there.
            let again = try await first.post(request([publisher]))
            #expect(again.results.first?.status == .skipped)
            #expect(calls.value == 2)
            let entries = try records.read().entries
            let otherEntries = try other.read().entries
            #expect(entries.map(\.id) == [inRecords.results.first?.id])
            #expect(otherEntries.map(\.id) == [inOther.results.first?.id])
        }
    }
}

@Suite("Sandbox server hygiene")
struct SandboxServerHygieneTests {
    @Test("an idle connection is closed by the sandbox server", .timeLimit(.minutes(1)))
    func idleTimeout() async throws {
        try await FakeServer.run(services: [], idleTimeout: .milliseconds(200)) { server in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: server.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            // Send nothing: a half-open client. The server must close the connection (end of stream).
            let received = try await channel.executeThenClose { inbound, _ in
                var bytes = 0
                for try await chunk in inbound { bytes += chunk.readableBytes }
                return bytes
            }
            #expect(received == 0)
        }
    }

    @Test("the sandbox's storage folder (uploaded videos) is private to the owner")
    func privateStorage() async throws {
        try await TemporaryDirectory.with { dir in
            let storage = dir + "/sandbox"
            try FileManager.default.createDirectory(
                atPath: storage, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            _ = try Sandbox(plugins: [], storage: storage)
            let mode = try FileManager.default.attributesOfItem(atPath: storage)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o700)
        }
    }
}
