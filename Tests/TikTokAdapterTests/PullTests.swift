import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
import Testing
@testable import TikTokAdapter

private func pullSettings(_ server: FakeServer) -> [String: String] {
    ["TIKTOK_UPLOAD_MODE": "pull", "TIKTOK_VERIFIED_URL_PREFIX": server.baseURL(for: "/files").absoluteString + "/"]
}

@Suite("TikTok pull (PULL_FROM_URL) over loopback")
struct PullTests {
    @Test("TikTok downloads the presigned-style staged URL; the copy is released only after the download")
    func pullsStagedURL() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, sha) = try await TestMedia.randomFile(in: dir, size: 777_777)
            let files = StagedFileServer(path: file.path, name: "staging/clip.mp4")
            try await TikTokRig.run(services: [files], settings: pullSettings) { rig in
                await rig.fake.state.verify(urlPrefix: rig.server.baseURL(for: "/files").absoluteString + "/")
                let staged = try #require(
                    URL(
                        string: rig.server.baseURL(for: "/files").absoluteString
                            + "/staging/clip.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-Signature=0123abcd"
                    ))
                let servedAtRelease = LockedBox<[Int]>([])
                let recorder = ContextRecorder()
                let context = recorder.context(
                    stagedURL: { staged },
                    onRelease: { servedAtRelease.withLock { $0.append(files.served.value) } })
                let job = TestMedia.job(file, draft: TestMedia.publicDraft)
                try await rig.publisher.preflight(job, context: context)
                let receipt = try await rig.publisher.publish(job, context: context)

                #expect(receipt.status == .published)
                let publishID = try #require(await rig.fake.state.publishIDs.first)
                let post = try #require(await rig.fake.state.publish(publishID))
                #expect(post.source == "PULL_FROM_URL")
                #expect(post.videoURL == staged.absoluteString)
                #expect(
                    await rig.fake.state.received(publishID) == TikTokFakeUpload(bytes: 777_777, sha256: sha, chunks: 0)
                )
                #expect(servedAtRelease.value == [1])  // released once, after TikTok had fetched the file
                #expect(await rig.fake.state.requests(to: .upload).isEmpty)
                let statuses = await rig.fake.state.requests(to: .status)
                #expect(statuses.count >= 2)  // the first poll still says PROCESSING_DOWNLOAD
            }
        }
    }

    @Test("a staged URL outside TIKTOK_VERIFIED_URL_PREFIX is refused before TikTok is called")
    func refusesUnverifiedURL() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            try await TikTokRig.run(settings: pullSettings) { rig in
                let elsewhere = try #require(
                    URL(string: "https://bucket.s3.amazonaws.com/staging/clip.mp4?X-Amz-Signature=abcd"))
                let recorder = ContextRecorder()
                let context = recorder.context(stagedURL: { elsewhere })
                await expectPublishError {
                    try await rig.publisher.publish(TestMedia.job(file, draft: TestMedia.publicDraft), context: context)
                } where: { error in
                    return error.code == .configuration && error.message.contains("TIKTOK_VERIFIED_URL_PREFIX")
                        && !error.description.contains("abcd")
                }
                #expect(await rig.fake.state.requests(to: .directInit).isEmpty)
                #expect(recorder.releases == 1)
            }
        }
    }

    @Test("TikTok's url_ownership_unverified is a configuration error with the fix")
    func unverifiedByTikTok() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            let files = StagedFileServer(path: file.path, name: "clip.mp4")
            try await TikTokRig.run(services: [files], settings: pullSettings) { rig in
                let staged = try #require(URL(string: rig.server.baseURL(for: "/files").absoluteString + "/clip.mp4"))
                let recorder = ContextRecorder()
                await expectPublishError {
                    try await rig.publisher.publish(
                        TestMedia.job(file, draft: TestMedia.publicDraft),
                        context: recorder.context(stagedURL: { staged }))
                } where: { error in
                    return error.code == .configuration && error.platformCode == "url_ownership_unverified"
                        && error.httpStatus == 403
                        && error.remediation?.contains("TIKTOK_VERIFIED_URL_PREFIX") == true && !error.isRetryable
                }
                #expect(recorder.releases == 1)
                #expect(await rig.fake.state.requests(to: .directInit).count == 1)  // never repeated
            }
        }
    }

    @Test("a download TikTok cannot make ends FAILED video_pull_failed, and the copy is released")
    func pullFailure() async throws {
        try await TemporaryDirectory.with { dir in
            let (file, _) = try await TestMedia.randomFile(in: dir, size: 300_000)
            var files = StagedFileServer(path: file.path, name: "clip.mp4")
            files.missing = true
            try await TikTokRig.run(services: [files], settings: pullSettings) { rig in
                await rig.fake.state.verify(urlPrefix: rig.server.baseURL(for: "/files").absoluteString + "/")
                let staged = try #require(URL(string: rig.server.baseURL(for: "/files").absoluteString + "/clip.mp4"))
                let recorder = ContextRecorder()
                await expectPublishError {
                    try await rig.publisher.publish(
                        TestMedia.job(file, draft: TestMedia.publicDraft),
                        context: recorder.context(stagedURL: { staged }))
                } where: { error in
                    return error.code == .processingFailed && error.platformCode == "video_pull_failed"
                        && error.isRetryable
                }
                #expect(recorder.releases >= 1)
                #expect(TikTokCheckpoint.decode(recorder.lastCheckpoint) == nil)  // a rerun starts a new post
            }
        }
    }
}
