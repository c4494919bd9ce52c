import Foundation
import PlatformKit
import PublishingCore

/// An object the fake S3 holds (on disk, in its storage folder).
///
/// A single `PutObject` keeps its bytes in one file. A completed multipart upload keeps its part files as they
/// arrived, in order (completing does no work per byte, as in S3), and its bytes are those files one after another.
public struct FakeS3Object: Sendable, Equatable {
    /// The bucket.
    public var bucket: String
    /// The key.
    public var key: String
    /// Its size in bytes.
    public var size: Int64
    /// Hex SHA-256 of its bytes, when known: a `PutObject` with a signed payload has it from the upload (the fake
    /// checks it as the bytes arrive); an `UNSIGNED-PAYLOAD` one or a multipart object has none until
    /// ``FakeS3/sha256(of:bucket:)`` computes it (S3 keeps no whole-object SHA-256 of one either).
    public var sha256: String?
    /// The ETag S3 would give (quoted): the MD5 of the bytes, or for a multipart object the MD5 of its
    /// parts' ETag bytes followed by `-N`. Under SSE-KMS no part of it is an MD5 of the data.
    public var eTag: String
    /// The `Content-Type` it was stored with.
    public var contentType: String?
    /// The `x-amz-server-side-encryption` it was stored with.
    public var serverSideEncryption: String?
    /// When it was written.
    public var lastModified: Date
    /// Whether it was assembled from parts.
    public var isMultipart: Bool
    /// The files holding its bytes, in order: one for a `PutObject`, one per part for a multipart object.
    public var files: [FakeS3StoredFile]

    /// The pieces of `files` that hold `range` of the object's bytes, in order (empty pieces left out).
    public func slices(in range: Range<Int64>) -> [FakeResponse.FileSlice] {
        var slices: [FakeResponse.FileSlice] = []
        var start: Int64 = 0
        for file in files {
            let end = start + file.size
            let lower = max(range.lowerBound, start), upper = min(range.upperBound, end)
            if lower < upper { slices.append(FakeResponse.FileSlice(path: file.path, range: (lower - start)..<(upper - start))) }
            start = end
        }
        return slices
    }
}

/// One file in the fake's storage folder holding a run of an object's bytes.
public struct FakeS3StoredFile: Sendable, Equatable {
    /// Where the bytes are.
    public var path: String
    /// How many bytes it holds.
    public var size: Int64

    /// A file of `size` bytes at `path`.
    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
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
    /// The checksum algorithm it was created with (`x-amz-checksum-algorithm`, uppercased): every part must then
    /// carry one, and `CompleteMultipartUpload` must list each part's.
    public var checksumAlgorithm: String?
}

/// One part of a multipart upload.
public struct FakeS3Part: Sendable, Equatable {
    /// The part number.
    public var number: Int
    /// Its size in bytes.
    public var size: Int64
    /// Its ETag (quoted hex of `digest`).
    public var eTag: String
    /// The 16 bytes its ETag shows, for the multipart ETag: its MD5, or random bytes under SSE-KMS.
    public var digest: [UInt8]
    /// Where its bytes are.
    public var path: String
    /// When it arrived.
    public var lastModified: Date
    /// The checksum it came with, if any.
    public var checksum: FakeS3Checksum?
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

    /// Stores `object`, replacing (and deleting the files of) any object at its key.
    func put(_ object: FakeS3Object) {
        let id = object.bucket + "/" + object.key
        if let old = objects[id] { Self.remove(old.files.map(\.path), keeping: object.files.map(\.path)) }
        objects[id] = object
    }

    func object(bucket: String, key: String) -> FakeS3Object? { objects[bucket + "/" + key] }

    /// Records `sha256` as the digest of the object at `bucket`/`key`, if it still has the same `files`.
    func cacheSHA256(_ sha256: String, bucket: String, key: String, files: [FakeS3StoredFile]) {
        let id = bucket + "/" + key
        guard objects[id]?.files == files else { return }
        objects[id]?.sha256 = sha256
    }

    func deleteObject(bucket: String, key: String) {
        if let old = objects.removeValue(forKey: bucket + "/" + key) { Self.remove(old.files.map(\.path)) }
    }

    func addUpload(_ upload: FakeS3Upload) { uploads[upload.uploadID] = upload }

    func upload(_ id: String) -> FakeS3Upload? { uploads[id] }

    func addPart(_ part: FakeS3Part, to id: String) -> Bool {
        guard uploads[id] != nil else { Self.remove([part.path]); return false }
        if let old = uploads[id]?.parts[part.number] { Self.remove([old.path], keeping: [part.path]) }
        uploads[id]?.parts[part.number] = part
        return true
    }

    /// Forgets upload `id` and deletes its part files (an abort).
    func removeUpload(_ id: String) {
        guard let upload = uploads.removeValue(forKey: id) else { return }
        Self.remove(upload.parts.values.map(\.path))
    }

    /// What became of a completion.
    enum Completion {
        /// The object is stored.
        case completed
        /// The upload was completed or aborted meanwhile.
        case uploadGone
        /// This part was uploaded again meanwhile.
        case partReplaced(Int)
    }

    /// Ends upload `id` as `object`, made of `parts` (validated by the caller against a snapshot of the upload):
    /// stores the object and deletes the upload's part files that `parts` does not list, as S3 discards them.
    func complete(_ id: String, parts: [FakeS3Part], as object: FakeS3Object) -> Completion {
        guard let upload = uploads[id] else { return .uploadGone }
        if let replaced = parts.first(where: { upload.parts[$0.number]?.path != $0.path }) { return .partReplaced(replaced.number) }
        uploads[id] = nil
        Self.remove(upload.parts.values.map(\.path), keeping: parts.map(\.path))
        put(object)
        return .completed
    }

    /// Deletes the files at `paths` except those in `kept` (best effort: a file already gone is fine).
    private static func remove(_ paths: [String], keeping kept: [String] = []) {
        let kept = Set(kept)
        for path in paths where !kept.contains(path) { try? FileManager.default.removeItem(atPath: path) }
    }

    func arm(_ fault: FakeS3Fault) { faults.append(fault) }
}

extension FakeS3Store {
    func createBucket(_ name: String) { buckets.insert(name) }
    func hasBucket(_ name: String) -> Bool { buckets.contains(name) }
}
