import AtomSandbox
import AtomTestSupport
import Foundation
import InstagramAdapter
import PlatformKit
import PublishingCore
import Testing

@Suite("Instagram: resumable upload through rupload (Facebook Login)")
struct InstagramResumableTests {
    static let resumable: [String: String?] = ["INSTAGRAM_LOGIN": "facebook", "INSTAGRAM_UPLOAD_MODE": "resumable"]

    @Test("the bytes go to the returned uri byte-exact with OAuth, offset and file_size; no staging")
    func uploadsByteExact() async throws {
        try await InstagramHarness.run { h in
            let publisher = try h.publisher(Self.resumable)
            #expect(publisher.capabilities.ingestion == .push)
            let job = try await InstagramHarness.job("hevc.mp4")
            let receipt = try await publisher.publish(job, context: h.context())
            #expect(receipt.status == .published)
            let container = try #require(await h.fake.allContainers.first)
            #expect(container.resumable)
            #expect(container.fields["upload_type"] == "resumable")
            #expect(container.fields["video_url"] == nil)
            #expect(container.sha256 == job.sha256)
            #expect(container.byteCount == job.media.sizeBytes)
            #expect(container.declaredSize == job.media.sizeBytes)
            #expect(container.uploadOffsets == [0])
            let rupload = await h.fake.requests.filter { $0.mount == "/rupload" }
            #expect(rupload.map(\.method) == ["POST"])
            #expect(rupload.allSatisfy { $0.authScheme == "OAuth" && !$0.tokenInURL })
            #expect(h.log.stagedRequests.value == 0)
            let uploaded = h.log.checkpoints.value.compactMap { $0.objectValue?["uploaded"]?.boolValue }
            #expect(uploaded.first == false)
            #expect(uploaded.contains(true))
        }
    }

    @Test(
        "a connection dropped mid-upload resumes from the offset rupload reports",
        arguments: [1 as Int64, 40_000, 70_001])
    func resumesAfterDrop(afterBytes: Int64) async throws {
        let fake = InstagramFake()
        await fake.inject(.dropRupload(afterBytes: afterBytes))
        try await InstagramHarness.run(fake) { h in
            let job = try await InstagramHarness.job()
            let receipt = try await h.publisher(Self.resumable).publish(job, context: h.context())
            #expect(receipt.status == .published)
            let container = try #require(await h.fake.allContainers.first)
            #expect(container.uploadOffsets == [0, afterBytes])
            #expect(container.sha256 == job.sha256)
            #expect(container.byteCount == job.media.sizeBytes)
            let rupload = await h.fake.requests.filter { $0.mount == "/rupload" }.map(\.method)
            #expect(rupload == ["POST", "GET", "POST"])
            #expect(h.clock.sleeps.first == .seconds(1))
        }
    }

    @Test("a busy upload host (503, retriable) is retried")
    func retriesBusyHost() async throws {
        let fake = InstagramFake()
        await fake.inject(.ruploadUnavailable(times: 2))
        try await InstagramHarness.run(fake) { h in
            let job = try await InstagramHarness.job()
            let receipt = try await h.publisher(Self.resumable).publish(job, context: h.context())
            #expect(receipt.status == .published)
            #expect(await h.fake.allContainers.first?.sha256 == job.sha256)
        }
    }

    @Test("a run interrupted mid-upload continues the same container from the server's offset")
    func continuesInterruptedUpload() async throws {
        let fake = InstagramFake()
        await fake.inject(.dropRupload(afterBytes: 10_000, times: 100))
        try await InstagramHarness.run(fake) { h in
            let publisher = try h.publisher(Self.resumable)
            let job = try await InstagramHarness.job()
            let error = try await #require(throws: PublishError.self) {
                try await publisher.publish(job, context: h.context())
            }
            #expect(error.isRetryable)
            let checkpoint = try #require(h.log.lastCheckpoint)
            #expect(checkpoint.objectValue?["uploaded"]?.boolValue == false)
            let containerID = try #require(checkpoint.objectValue?["containerID"]?.stringValue)
            let held = try #require(await fake.container(containerID)?.byteCount)
            #expect(held == 6 * 10_000)  // six attempts under the default policy

            await fake.clearFaults()
            let receipt = try await publisher.publish(job.with(checkpoint: checkpoint), context: h.context())
            #expect(receipt.status == .published)
            let container = try #require(await fake.container(containerID))
            #expect(container.uploadOffsets.last == held)
            #expect(container.sha256 == job.sha256)
            #expect(await fake.allContainers.count == 1)
        }
    }

    @Test("a 48 MiB upload streams byte-exact and resumes mid-file (figures printed)")
    func largeUploadResumes() async throws {
        let fake = InstagramFake()
        let dropAt: Int64 = 20 << 20
        await fake.inject(.dropRupload(afterBytes: dropAt))
        try await TemporaryDirectory.with { dir in
            let path = dir + "/large.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 48 << 20, seed: 7)
            let file = try MediaFileHandle(path: path)
            let sha = try await FileDigest.sha256(of: file)
            let media = MediaInfo(
                container: "mp4", brand: "isom", sizeBytes: file.size, duration: 30, width: 1080, height: 1920,
                rotation: 0,
                frameRate: 30, videoCodec: "h264", audioCodec: "aac", audioSampleRate: 48_000, moovAtStart: true,
                hasEditList: false)
            let job = PublishJob(
                recordID: "rec-large", draft: PostDraft(caption: "big"), media: media, file: file, sha256: sha)
            try await InstagramHarness.run(fake) { h in
                let started = ContinuousClock.now
                let receipt = try await h.publisher(Self.resumable).publish(job, context: h.context())
                let elapsed = ContinuousClock.now - started
                #expect(receipt.status == .published)
                let containerID = try #require(h.log.lastCheckpoint?.objectValue?["containerID"]?.stringValue)
                let container = try #require(await fake.container(containerID))
                #expect(container.uploadOffsets == [0, dropAt])
                #expect(container.sha256 == sha)
                let sent = Double(file.size)  // the first attempt's kept bytes plus the resumed tail
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print(
                    "instagram rupload figure: \(file.size) bytes published with one resume in \(String(format: "%.2f", seconds)) s "
                        + "(~\(String(format: "%.0f", sent / seconds / 1_048_576)) MiB/s over loopback incl. polling)")
            }
        }
    }

    @Test(
        "resumable mode with Instagram Login is a configuration error (rupload is documented for Facebook Login only)")
    func resumableNeedsFacebookLogin() async throws {
        try await InstagramHarness.run { h in
            let error = try #require(throws: PublishError.self) {
                try h.publisher(["INSTAGRAM_UPLOAD_MODE": "resumable"])
            }
            #expect(error.code == .configuration)
            #expect(error.remediation?.contains("INSTAGRAM_LOGIN=facebook") == true)
        }
    }
}
