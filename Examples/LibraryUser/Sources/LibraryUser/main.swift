import AsyncHTTPClient
import AsyncHTTPTransport
import AtomSandbox
import Foundation
import PlatformKit
import PublishingCore
import PublishingEngine
import YouTubeAdapter

// Usage: swift run --package-path Examples/LibraryUser LibraryUser [VIDEO]
// Posts VIDEO (default Fixtures/vertical.mp4) to the YouTube plug-in's loopback fake with atom's library API:
// the plug-in's publisher factory builds the publisher, the orchestrator probes, uploads, polls and records.
let video = CommandLine.arguments.dropFirst().first ?? "Fixtures/vertical.mp4"
let plugin = PlatformPlugin.youtube
let storage = NSTemporaryDirectory() + "atom-library-user-" + UUID().uuidString

let sandbox = try Sandbox(plugins: [plugin], storage: storage)
let report = try await FakeServer.run(services: sandbox.services) { server in
    let client = AtomTransport.makeClient()
    do {
        // The sandbox's settings stand in for a .env: base URLs of the fakes and their sandbox tokens.
        let environment = PublisherEnvironment(
            credentials: MemoryCredentialStore(sandbox.environment(server: server)),
            transport: AtomTransport.make(client: client))
        let publisher = try plugin.publisher.makePublisher(environment)
        // A record of its own in a temporary folder: posts to the fake never meet a real record.
        let orchestrator = Orchestrator(stager: nil, records: RecordStore(directory: storage + "/state"))
        let draft = PostDraft(caption: "Posted with atom's library API", title: "A library post", privacy: .unlisted)
        let report = try await orchestrator.post(
            PostRequest(videoPath: video, targets: [PostTarget(publisher: publisher, draft: draft)]))
        try await client.shutdown()
        return report
    } catch {
        try await client.shutdown()
        throw error
    }
}

try FileManager.default.removeItem(atPath: storage)
for result in report.results {
    print("\(result.platform): \(result.status) \(result.postId ?? "")")
}
exit(report.results.allSatisfy { $0.status == RecordStatus.published } ? 0 : 1)
