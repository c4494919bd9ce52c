import Foundation
import PublishingCore
import PublishingEngine

/// An object under the staging prefix (`atom staging list`).
public struct S3StagedObjectSummary: Sendable, Equatable, Codable {
    /// The object key.
    public var key: String
    /// Its size in bytes.
    public var size: Int64
    /// When S3 last wrote it.
    public var lastModified: Date?
}

/// An unfinished multipart upload under the staging prefix: its parts cost storage until aborted.
public struct S3PendingUpload: Sendable, Equatable, Codable {
    /// The key the upload was for.
    public var key: String
    /// The upload id.
    public var uploadID: String
    /// When it was started.
    public var initiated: Date?
}

/// What is under the staging prefix.
public struct S3StagingListing: Sendable, Equatable, Codable {
    /// The bucket listed.
    public var bucket: String
    /// The prefix listed.
    public var prefix: String
    /// Staged objects (leftovers when no atom is running).
    public var objects: [S3StagedObjectSummary]
    /// Unfinished multipart uploads.
    public var uploads: [S3PendingUpload]

    /// Whether nothing is there.
    public var isEmpty: Bool { objects.isEmpty && uploads.isEmpty }
}

/// What `clean` removed, and what it could not.
public struct S3CleanReport: Sendable {
    /// Keys of deleted objects.
    public var deletedObjects: [String]
    /// Aborted uploads.
    public var abortedUploads: [S3PendingUpload]
    /// Keys that could not be removed, with why.
    public var failures: [(key: String, error: PublishError)]

    /// Whether everything asked for was removed.
    public var succeeded: Bool { failures.isEmpty }
}

/// The result of ``S3Stager/put(path:ttl:contentType:progress:)``.
public struct S3PutResult: Sendable {
    /// The staged object.
    public var object: StagedObject
    /// A URL from which it can be fetched (presigned unless `ATOM_S3_PUBLIC_BASE_URL` is set).
    public var url: URL
    /// When a presigned URL stops working; `nil` for a public base URL.
    public var expiresAt: Date?
    /// The file's SHA-256.
    public var sha256: String
}

extension S3Stager {
    /// Lists staged objects and unfinished multipart uploads under the prefix (`atom staging list`).
    /// - Throws: ``PublishError`` (platform `staging`).
    public func list() async throws -> S3StagingListing {
        do {
            let prefix = configuration.prefix
            let retrier = Retrier(policy: configuration.retryPolicy, clock: clock, jitter: jitter)
            let objects = try await retrier.run { _ in try await client.listObjects(prefix: prefix) }
            let uploads = try await retrier.run { _ in try await client.listMultipartUploads(prefix: prefix) }
            return S3StagingListing(bucket: configuration.bucket, prefix: prefix, objects: objects, uploads: uploads)
        } catch {
            throw PublishError.wrapping(error, platform: .staging)
        }
    }

    /// Deletes staged objects and aborts unfinished uploads under the prefix (`atom staging clean`).
    /// - Parameters:
    ///   - listing: What to remove (default: everything ``list()`` finds now).
    ///   - cutoff: Only remove what is older than this (so a running `atom post` keeps its copy); `nil` removes all.
    /// - Returns: What was removed and what failed; a failure on one key does not stop the others.
    public func clean(_ listing: S3StagingListing? = nil, olderThan cutoff: Date? = nil) async throws -> S3CleanReport {
        let resolved: S3StagingListing
        if let listing { resolved = listing } else { resolved = try await list() }
        let retrier = Retrier(policy: configuration.retryPolicy, clock: clock, jitter: jitter)
        var report = S3CleanReport(deletedObjects: [], abortedUploads: [], failures: [])
        func isOld(_ date: Date?) -> Bool { cutoff.map { cutoff in date.map { $0 < cutoff } ?? true } ?? true }
        for upload in resolved.uploads where isOld(upload.initiated) && upload.key.hasPrefix(configuration.prefix) {
            do {
                try await retrier.run { _ in try await client.abortMultipartUpload(key: upload.key, uploadID: upload.uploadID) }
                report.abortedUploads.append(upload)
            } catch {
                report.failures.append((upload.key, PublishError.wrapping(error, platform: .staging)))
            }
        }
        for object in resolved.objects where isOld(object.lastModified) && object.key.hasPrefix(configuration.prefix) {
            do {
                try await retrier.run { _ in try await client.deleteObject(key: object.key) }
                report.deletedObjects.append(object.key)
            } catch {
                report.failures.append((object.key, PublishError.wrapping(error, platform: .staging)))
            }
        }
        return report
    }

    /// Stages a file and returns a URL for it (`atom staging put <file> [--ttl S]`). The object stays until
    /// `clean` (or a bucket lifecycle rule) removes it.
    /// - Parameters:
    ///   - ttl: The URL's lifetime (default ``S3Configuration/urlTTL``; at most 7 days).
    ///   - contentType: Default from the extension (`video/mp4`, `video/quicktime`).
    ///   - progress: Where upload progress goes (platform `staging`).
    ///   - hashes: Where the file's SHA-256 (which names the object) is remembered between runs.
    /// - Throws: ``PublishError``: `invalidInput` for an unreadable file, `limitExceeded` for a TTL over 7 days.
    public func put(
        path: String, ttl: Duration? = nil, contentType: String? = nil,
        progress: ProgressReporter = ProgressReporter(platform: .staging, continuation: nil), hashes: HashCache? = nil
    ) async throws -> S3PutResult {
        let lifetime = ttl ?? configuration.urlTTL
        guard lifetime >= .seconds(1), lifetime <= .seconds(SigV4Signer.maxPresignedLifetime) || configuration.publicBaseURL != nil else {
            throw PublishError(.limitExceeded, platform: .staging, message: "a presigned URL lives from 1 second to 7 days (604800 s)",
                               remediation: "pass --ttl 604800 or less")
        }
        let file = try MediaFileHandle(path: path)
        let sha256 = if let hashes { try await hashes.sha256(of: file).sha256 } else { try await FileDigest.sha256(of: file) }
        let type = contentType ?? Self.contentType(forExtension: Self.fileExtension(of: path))
        let context = StagingContext(progress: progress, clock: clock, jitter: jitter)
        let object = try await stage(file, sha256: sha256, contentType: type, context: context)
        let url = try await self.url(for: object, validFor: lifetime)
        let expiresAt = configuration.publicBaseURL == nil ? client.now().addingTimeInterval(TimeInterval(lifetime.components.seconds)) : nil
        return S3PutResult(object: object, url: url, expiresAt: expiresAt, sha256: sha256)
    }

    static func contentType(forExtension ext: String) -> String {
        switch ext {
        case "mp4", "m4v": "video/mp4"
        case "mov": "video/quicktime"
        case "webm": "video/webm"
        default: "application/octet-stream"
        }
    }
}
