import Crypto
import Foundation
import PlatformKit
import PublishingCore
import S3Staging
import Synchronization

/// The bucket-level settings `atom doctor` reads and `atom staging lifecycle --apply` writes, served next to
/// ``FakeS3`` (mount it first): `GET /{bucket}?publicAccessBlock`, `GET /{bucket}?policyStatus`, and
/// `GET`/`PUT /{bucket}?lifecycle`, signed with SigV4 like every other request, answering S3's documents and
/// errors (`NoSuchPublicAccessBlockConfiguration`, `NoSuchBucketPolicy`, `NoSuchLifecycleConfiguration`; a
/// lifecycle `PUT` needs a `Content-MD5` that matches the body, and a `LifecycleConfiguration` document).
public final class FakeS3BucketSettings: FakeService, Sendable {
    /// One bucket's settings.
    public struct Settings: Sendable, Equatable {
        /// The four public access block flags, or `nil` for no configuration.
        public var publicAccessBlock: [String: Bool]?
        /// Whether the bucket policy makes it public; `nil` for no policy.
        public var policyIsPublic: Bool?
        /// The lifecycle document as last written, or `nil` for none.
        public var lifecycle: String?

        /// A bucket with nothing set (S3's default for buckets made before April 2023).
        public static let bare = Settings(publicAccessBlock: nil, policyIsPublic: nil, lifecycle: nil)

        /// What atom recommends: every public access blocked, no policy, staged objects expire after a day.
        public static func hardened(prefix: String) -> Settings {
            Settings(
                publicAccessBlock: [
                    "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true,
                    "RestrictPublicBuckets": true,
                ],
                policyIsPublic: nil,
                lifecycle: #"<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
                    + "<Rule><ID>atom-staging-expiry</ID><Filter><Prefix>\(prefix)</Prefix></Filter>"
                    + "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")
        }
    }

    let s3: FakeS3
    private let settings: Mutex<[String: Settings]>
    private let defaults: Settings

    /// Creates the settings service for `s3`'s buckets, each starting with `defaults`.
    public init(s3: FakeS3, defaults: Settings = .bare) {
        self.s3 = s3
        self.defaults = defaults
        self.settings = Mutex([:])
    }

    /// The fake S3's mount path.
    public var mountPath: String { s3.mountPath }

    /// Replaces a bucket's settings.
    public func set(_ value: Settings, bucket: String = FakeS3.sandboxBucket) {
        settings.withLock { $0[bucket] = value }
    }

    /// A bucket's current settings.
    public func current(bucket: String = FakeS3.sandboxBucket) -> Settings {
        settings.withLock { $0[bucket] ?? defaults }
    }

    /// Answers the bucket sub-resources; `nil` for every other request (``FakeS3`` answers those).
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        var path = request.path
        if path.hasPrefix("/") { path.removeFirst() }
        if path.hasSuffix("/") { path.removeLast() }
        let names = Set(request.queryItems.map(\.0))
        let resource = ["publicAccessBlock", "policyStatus", "lifecycle"].first(where: names.contains)
        guard !path.isEmpty, !path.contains("/"), let resource else { return nil }
        do {
            _ = try s3.verify(request)
            guard await s3.store.hasBucket(path) else {
                throw FakeS3Failure(
                    404, "NoSuchBucket", "The specified bucket does not exist", extra: [("BucketName", path)])
            }
            return try await answer(request, bucket: path, resource: resource)
        } catch let failure as FakeS3Failure {
            return failure.response
        }
    }

    private func answer(_ request: FakeRequest, bucket: String, resource: String) async throws -> FakeResponse {
        let value = current(bucket: bucket)
        switch (request.method, resource) {
        case ("GET", "publicAccessBlock"):
            guard let flags = value.publicAccessBlock else {
                throw FakeS3Failure(
                    404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
            }
            var xml = #"<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
            for name in ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] {
                xml += "<\(name)>\(flags[name] ?? false)</\(name)>"
            }
            return .xml(xml + "</PublicAccessBlockConfiguration>")
        case ("GET", "policyStatus"):
            guard let isPublic = value.policyIsPublic else {
                throw FakeS3Failure(404, "NoSuchBucketPolicy", "The bucket policy does not exist")
            }
            return .xml("<PolicyStatus><IsPublic>\(isPublic)</IsPublic></PolicyStatus>")
        case ("GET", "lifecycle"):
            guard let document = value.lifecycle else {
                throw FakeS3Failure(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
            }
            return .xml(document)
        case ("PUT", "lifecycle"):
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let md5 = request.header("Content-MD5") else {
                throw FakeS3Failure(400, "InvalidRequest", "Missing required header for this request: Content-MD5")
            }
            guard md5 == Data(Insecure.MD5.hash(data: body)).base64EncodedString() else {
                throw FakeS3Failure(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
            }
            guard let document = XMLNode.parse(body), document.name == "LifecycleConfiguration",
                !document.children("Rule").isEmpty,
                document.children("Rule").allSatisfy({
                    $0.value("Status") == "Enabled" || $0.value("Status") == "Disabled"
                })
            else {
                throw FakeS3Failure(
                    400, "MalformedXML",
                    "The XML you provided was not well-formed or did not validate against our published schema")
            }
            var text = String(decoding: body, as: UTF8.self)
            if let start = text.range(of: "<LifecycleConfiguration") { text = String(text[start.lowerBound...]) }
            var updated = value
            updated.lifecycle = text
            set(updated, bucket: bucket)
            return FakeResponse(status: 200)
        default:
            throw FakeS3Failure(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        }
    }
}
