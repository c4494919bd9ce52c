import Foundation
import PlatformKit
import PublishingCore

/// An object the fake S3 holds (on disk, in its storage folder).
public struct FakeS3Object: Sendable, Equatable {
    /// The bucket.
    public var bucket: String
    /// The key.
    public var key: String
    /// Its size in bytes.
    public var size: Int64
    /// Hex SHA-256 of its bytes.
    public var sha256: String
    /// The ETag S3 would give (quoted).
    public var eTag: String
    /// The `Content-Type` it was stored with.
    public var contentType: String?
    /// The `x-amz-server-side-encryption` it was stored with.
    public var serverSideEncryption: String?
    /// When it was written.
    public var lastModified: Date
    /// Whether it was assembled from parts.
    public var isMultipart: Bool
    /// Where its bytes are.
    public var path: String
}

/// A multipart upload the fake holds open.
public struct FakeS3Upload: Sendable, Equatable {
    /// The bucket.
    public var bucket: String
    /// The key it is for.
    public var key: String
    /// Its id.
    public var uploadID: String
    /// When it was started.
    public var initiated: Date
    /// The parts received so far, by number.
    public var parts: [Int: FakeS3Part]
    /// `Content-Type` given when it was created.
    public var contentType: String?
    /// Server-side encryption given when it was created.
    public var serverSideEncryption: String?
}

/// One part of a multipart upload.
public struct FakeS3Part: Sendable, Equatable {
    /// The part number.
    public var number: Int
    /// Its size in bytes.
    public var size: Int64
    /// Its ETag (quoted MD5).
    public var eTag: String
    /// Its MD5, for the multipart ETag.
    public var md5: [UInt8]
    /// Where its bytes are.
    public var path: String
    /// When it arrived.
    public var lastModified: Date
}

/// One request the fake answered, for assertions.
public struct FakeS3RequestRecord: Sendable, Equatable {
    /// The HTTP method.
    public var method: String
    /// The S3 operation (`PutObject`, `UploadPart`, `CompleteMultipartUpload`, …) or `"?"`.
    public var operation: String
    /// The key, if any.
    public var key: String?
    /// The part number of an `UploadPart`.
    public var partNumber: Int?
    /// The status answered.
    public var status: Int
    /// S3's error code, if the answer was an error.
    public var errorCode: String?
    /// Whether the request used a presigned URL.
    public var presigned: Bool
}

/// The fake's state: buckets, objects, uploads, faults and the request log. Bytes live in files; this
/// actor only holds their metadata.
actor FakeS3Store {
    let directory: String
    var buckets: Set<String>
    var objects: [String: FakeS3Object] = [:]  // "bucket/key"
    var uploads: [String: FakeS3Upload] = [:]  // upload id
    var faults: [FakeS3Fault] = []
    var log: [FakeS3RequestRecord] = []
    private var counter = 0

    init(directory: String, buckets: Set<String>) {
        self.directory = directory
        self.buckets = buckets
    }

    func newPath(_ suffix: String) -> String {
        counter += 1
        return directory + "/\(counter)-\(suffix)"
    }

    func record(_ entry: FakeS3RequestRecord) { log.append(entry) }

    /// Takes the first armed fault matching `operation`/`part`, counting down its uses.
    func takeFault(operation: String, partNumber: Int?) -> FakeS3Fault.Action? {
        guard let index = faults.firstIndex(where: { $0.matches(operation: operation, partNumber: partNumber) }) else { return nil }
        let action = faults[index].action
        faults[index].remaining -= 1
        if faults[index].remaining <= 0 { faults.remove(at: index) }
        return action
    }

    func put(_ object: FakeS3Object) {
        let id = object.bucket + "/" + object.key
        if let old = objects[id], old.path != object.path { try? FileManager.default.removeItem(atPath: old.path) }
        objects[id] = object
    }

    func object(bucket: String, key: String) -> FakeS3Object? { objects[bucket + "/" + key] }

    func deleteObject(bucket: String, key: String) {
        if let old = objects.removeValue(forKey: bucket + "/" + key) { try? FileManager.default.removeItem(atPath: old.path) }
    }

    func addUpload(_ upload: FakeS3Upload) { uploads[upload.uploadID] = upload }

    func upload(_ id: String) -> FakeS3Upload? { uploads[id] }

    func addPart(_ part: FakeS3Part, to id: String) -> Bool {
        guard uploads[id] != nil else { try? FileManager.default.removeItem(atPath: part.path); return false }
        if let old = uploads[id]?.parts[part.number], old.path != part.path { try? FileManager.default.removeItem(atPath: old.path) }
        uploads[id]?.parts[part.number] = part
        return true
    }

    func removeUpload(_ id: String, deletingParts: Bool) {
        guard let upload = uploads.removeValue(forKey: id) else { return }
        if deletingParts { for part in upload.parts.values { try? FileManager.default.removeItem(atPath: part.path) } }
    }

    func arm(_ fault: FakeS3Fault) { faults.append(fault) }
}

extension FakeS3Store {
    func createBucket(_ name: String) { buckets.insert(name) }
    func hasBucket(_ name: String) -> Bool { buckets.contains(name) }
}
