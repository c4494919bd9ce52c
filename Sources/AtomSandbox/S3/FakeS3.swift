import Foundation
import PlatformKit
import PublishingCore
import S3Staging

/// A strict loopback fake of S3 (path-style, mounted at `/s3`): it verifies every SigV4 signature with
/// atom's signer (header and presigned-query auth, expiry, clock skew, payload hashes), keeps objects and
/// parts in files under a folder (never whole in memory), and speaks S3's XML, error documents included.
///
/// Operations: PutObject, HeadObject, GetObject (with `Range`), DeleteObject, CreateMultipartUpload,
/// UploadPart, ListParts, CompleteMultipartUpload (with S3's part-size and order rules), AbortMultipartUpload,
/// ListObjectsV2 and ListMultipartUploads. Faults are armed with ``inject(_:)``; what it holds and received
/// is inspected with ``objects()``, ``uploads()`` and ``requests()``. As in S3, completing a multipart upload
/// reads no byte again (the object keeps its part files), and an `UNSIGNED-PAYLOAD` body is hashed with MD5 for
/// its ETag but not with SHA-256: an object's SHA-256 is computed only when ``sha256(of:bucket:)`` asks for it.
/// Under SSE-KMS (`x-amz-server-side-encryption: aws:kms`) ETags are 32 hex digits that are not an MD5, as S3's
/// are, and no byte is hashed for them.
public final class FakeS3: FakeService {
    /// The sandbox's obviously fake credentials.
    public static let sandboxAccessKeyID = "SANDBOXACCESSKEYEXAMPLE"
    /// The sandbox's obviously fake secret key.
    public static let sandboxSecretAccessKey = "sandbox-s3-secret-access-key"
    /// The sandbox bucket.
    public static let sandboxBucket = "atom-sandbox"

    /// Where the sandbox mounts S3.
    public let mountPath = "/s3"
    /// The region signatures must be scoped to.
    public let region: String
    /// The folder holding object and part bytes.
    public let directory: String
    let credentials: [String: AWSCredentials]
    let now: @Sendable () -> Date
    let store: FakeS3Store

    /// Creates a fake.
    /// - Parameters:
    ///   - directory: Where bytes go (created if needed); default a new temporary folder.
    ///   - credentials: The key pairs it accepts.
    ///   - buckets: The buckets that exist.
    ///   - now: Its clock, for signature expiry and skew.
    public init(
        directory: String? = nil,
        credentials: [AWSCredentials] = [AWSCredentials(accessKeyID: FakeS3.sandboxAccessKeyID, secretAccessKey: FakeS3.sandboxSecretAccessKey)],
        buckets: Set<String> = [FakeS3.sandboxBucket], region: String = "us-east-1", now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let folder = directory ?? (NSTemporaryDirectory() + "atom-fake-s3-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        self.directory = folder
        self.credentials = Dictionary(credentials.map { ($0.accessKeyID, $0) }, uniquingKeysWith: { first, _ in first })
        self.region = region
        self.now = now
        self.store = FakeS3Store(directory: folder, buckets: buckets)
    }

    /// The sandbox credentials, region, bucket and `AWS_ENDPOINT_URL_S3` pointing at this fake.
    public func sandboxEnvironment(server: FakeServer) -> [String: String] {
        [
            "AWS_ACCESS_KEY_ID": Self.sandboxAccessKeyID,
            "AWS_SECRET_ACCESS_KEY": Self.sandboxSecretAccessKey,
            "AWS_REGION": region,
            "ATOM_S3_BUCKET": Self.sandboxBucket,
            "AWS_ENDPOINT_URL_S3": server.baseURL(for: mountPath).absoluteString,
        ]
    }

    // MARK: Inspection and faults

    /// Every object held, sorted by bucket and key.
    public func objects() async -> [FakeS3Object] {
        await store.objects.values.sorted { ($0.bucket, $0.key) < ($1.bucket, $1.key) }
    }

    /// The object at `key` in `bucket`, if any.
    public func object(_ key: String, bucket: String = FakeS3.sandboxBucket) async -> FakeS3Object? {
        await store.object(bucket: bucket, key: key)
    }

    /// The hex SHA-256 of the object at `key` in `bucket`, or nil when there is no such object.
    ///
    /// A signed `PutObject` has its digest from the upload. Any other object's is computed on the first call, by
    /// streaming over its files, and kept with the object (``FakeS3Object/sha256``) for later calls.
    /// - Throws: When a part file cannot be read (for example, the object was deleted while it was being hashed).
    public func sha256(of key: String, bucket: String = FakeS3.sandboxBucket) async throws -> String? {
        guard let object = await store.object(bucket: bucket, key: key) else { return nil }
        if let known = object.sha256 { return known }
        let digest = try await Self.sha256(of: object.files)
        await store.cacheSHA256(digest, bucket: bucket, key: key, files: object.files)
        return digest
    }

    /// Every open multipart upload.
    public func uploads() async -> [FakeS3Upload] { await store.uploads.values.sorted { $0.initiated < $1.initiated } }

    /// Every request answered, in order.
    public func requests() async -> [FakeS3RequestRecord] { await store.log }

    /// Arms a fault for the next matching request(s).
    public func inject(_ fault: FakeS3Fault) async { await store.arm(fault) }

    /// Creates a bucket.
    public func createBucket(_ name: String) async { await store.createBucket(name) }

    /// Deletes the storage folder (call when done with a fake made with a temporary folder).
    public func removeStorage() { try? FileManager.default.removeItem(atPath: directory) }

    // MARK: Serving

    /// Verifies the signature, applies an armed fault, then answers as S3 would; logs the request.
    public func handle(_ request: FakeRequest) async throws -> FakeResponse? {
        let route = Route(request)
        var presigned = false
        let response: FakeResponse
        do {
            presigned = try verify(request)
            response = try await serve(request, route: route)
        } catch let failure as FakeS3Failure {
            response = failure.response
        }
        await store.record(FakeS3RequestRecord(
            method: request.method, operation: route.operation, key: route.key.isEmpty ? nil : route.key, partNumber: route.partNumber,
            status: response.drop ? 0 : response.status, errorCode: response.s3ErrorCode, presigned: presigned))
        return response
    }
}

/// Which bucket, key and S3 operation a request is.
struct Route {
    var bucket: String
    var key: String
    var operation: String
    var partNumber: Int?
    var uploadID: String?

    init(_ request: FakeRequest) {
        var path = request.path
        if path.hasPrefix("/") { path.removeFirst() }
        let slash = path.firstIndex(of: "/")
        bucket = slash.map { String(path[..<$0]) } ?? path
        key = slash.map { String(path[path.index(after: $0)...]) } ?? ""
        let has = { (name: String) in request.queryItems.contains { $0.0 == name } }
        uploadID = request.query("uploadId")
        partNumber = request.query("partNumber").flatMap(Int.init)
        switch (request.method, key.isEmpty) {
        case ("GET", true): operation = has("uploads") ? "ListMultipartUploads" : (request.query("list-type") == "2" ? "ListObjectsV2" : "ListObjects")
        case ("PUT", false): operation = partNumber != nil && uploadID != nil ? "UploadPart" : "PutObject"
        case ("POST", false): operation = has("uploads") ? "CreateMultipartUpload" : (uploadID != nil ? "CompleteMultipartUpload" : "?")
        case ("GET", false): operation = uploadID != nil ? "ListParts" : "GetObject"
        case ("HEAD", false): operation = "HeadObject"
        case ("DELETE", false): operation = uploadID != nil ? "AbortMultipartUpload" : "DeleteObject"
        default: operation = "?"
        }
    }
}

/// An S3 error answer, thrown inside the fake.
struct FakeS3Failure: Error {
    var response: FakeResponse

    init(_ status: Int, _ code: String, _ message: String, extra: [(String, String)] = []) {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<Error><Code>\(code)</Code><Message>\(XMLNode.escape(message))</Message>"
        for (name, value) in extra { xml += "<\(name)>\(XMLNode.escape(value))</\(name)>" }
        xml += "<RequestId>FAKE\(UInt32.random(in: 0...UInt32.max))</RequestId></Error>"
        response = FakeResponse.text(status, xml, contentType: "application/xml", headers: [("x-amz-fake-error", code)])
    }

    init(response: FakeResponse) { self.response = response }
}

extension FakeResponse {
    var s3ErrorCode: String? { headers.first { $0.0 == "x-amz-fake-error" }?.1 }

    static func xml(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> FakeResponse {
        .text(status, #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + body, contentType: "application/xml", headers: headers)
    }
}
