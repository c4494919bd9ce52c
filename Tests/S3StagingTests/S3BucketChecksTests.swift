import AtomSandbox
import AtomTestSupport
import Foundation
import PlatformKit
import PublishingCore
@testable import S3Staging
import Testing

/// `atom doctor`'s bucket checks and `atom staging lifecycle --apply`, against the strict fake and against moto.
@Suite("S3 bucket checks (public access block, policy status, lifecycle)")
struct S3BucketChecksTests {
    static func withSettings(
        _ defaults: FakeS3BucketSettings.Settings,
        _ body: @Sendable (FakeS3BucketSettings, ScriptedTransport, S3Stager) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with { dir in
            let fake = try FakeS3(directory: dir + "/s3")
            let settings = FakeS3BucketSettings(s3: fake, defaults: defaults)
            try await FakeServer.run(services: [settings, fake]) { server in
                try await TestTransport.with { base in
                    let transport = ScriptedTransport(base)
                    let environment = fake.sandboxEnvironment(server: server)
                    let configuration = try #require(try S3Configuration.read { environment[$0] })
                    let stager = S3Stager(
                        configuration: configuration, credentials: S3Test.sandboxCredentials, transport: transport,
                        clock: ImmediateClock(), jitter: FixedJitter(1))
                    try await body(settings, transport, stager)
                }
            }
        }
    }

    @Test("a bare bucket: no public access block, no policy, no lifecycle rule")
    func bareBucket() async throws {
        try await Self.withSettings(.bare) { _, transport, stager in
            let report = try await stager.checkBucket()
            #expect(report.publicAccessBlock == nil)
            #expect(report.policyIsPublic == false)
            #expect(report.expiration == nil)
            #expect(
                transport.sent.map(\.operationID)
                    == ["s3.probe", "s3.public-access-block", "s3.policy-status", "s3.lifecycle.get"])
        }
    }

    @Test("a hardened bucket: every public access blocked, and a one-day rule on the staging prefix")
    func hardenedBucket() async throws {
        try await Self.withSettings(.hardened(prefix: "atom-staging/")) { _, _, stager in
            let report = try await stager.checkBucket()
            #expect(report.publicAccessBlock?.blocksEverything == true)
            #expect(report.policyIsPublic == false)
            #expect(
                report.expiration
                    == S3BucketReport.ExpirationRule(id: "atom-staging-expiry", prefix: "atom-staging/", days: 1))
        }
    }

    @Test("a public policy and a partial block are reported as such")
    func publicBucket() async throws {
        var settings = FakeS3BucketSettings.Settings.bare
        settings.policyIsPublic = true
        settings.publicAccessBlock = ["BlockPublicAcls": true, "IgnorePublicAcls": true]
        try await Self.withSettings(settings) { _, _, stager in
            let report = try await stager.checkBucket()
            #expect(report.policyIsPublic == true)
            #expect(report.publicAccessBlock?.blocksEverything == false)
            #expect(report.publicAccessBlock?.blockPublicAcls == true)
        }
    }

    @Test("applying the lifecycle rule keeps the bucket's other rules, sends Content-MD5, and is idempotent")
    func applyLifecycleKeepsOtherRules() async throws {
        var settings = FakeS3BucketSettings.Settings.bare
        settings.lifecycle =
            #"<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>logs</ID>"#
            + "<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>"
            + "</Rule></LifecycleConfiguration>"
        try await Self.withSettings(settings) { fake, _, stager in
            #expect(try await stager.applyStagingLifecycle(days: 1))
            let document = try #require(fake.current().lifecycle)
            #expect(document.contains("<ID>logs</ID>"))
            #expect(document.contains("<Prefix>atom-staging/</Prefix>"))
            let report = try await stager.checkBucket()
            #expect(report.expiration?.days == 1)
            #expect(try await stager.applyStagingLifecycle(days: 1) == false)
        }
    }

    @Test(
        "against moto: a new bucket has no rule; --apply adds one that the check then finds",
        .enabled(if: LocalS3.endpoint != nil))
    func lifecycleOnMoto() async throws {
        try await S3StagerLocalS3Tests.withLocalS3 { _, stager, _ in
            let before = try await stager.checkBucket()
            #expect(before.expiration == nil)
            #expect(try await stager.applyStagingLifecycle(days: 1))
            let after = try await stager.checkBucket()
            #expect(after.expiration?.days == 1)
            #expect(after.expiration?.prefix == stager.configuration.prefix)
            #expect(try await stager.applyStagingLifecycle(days: 1) == false)
        }
    }
}
