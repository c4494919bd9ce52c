import Crypto
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PublishingCore

/// Stages videos in the owner's private S3 bucket (or an S3-compatible server) for platforms that pull
/// from a URL: the ``MediaStager`` that `atom` composes when `ATOM_S3_BUCKET` is set.
///
/// Objects go under ``S3Configuration/prefix`` as `{prefix}{sha256}/{token}.{ext}`, where `token` is an
/// HMAC of the file's hash under the secret key: unguessable from the hash alone, yet the same on every
/// run, so a retry finds the object with `HEAD` and skips the upload. Files below the multipart threshold
/// go in one streamed `PUT`; larger ones in parts, several at once, each retried on its own, with the
/// upload id journalled so an interrupted upload resumes from `ListParts`.
public struct S3Stager: MediaStager {
    /// The configuration.
    public let configuration: S3Configuration
    let client: S3Client
    let credentials: AWSCredentials
    /// The clock and jitter of retries outside a staging context (release, list, clean).
    let clock: any Clock<Duration>
    let jitter: any JitterSource

    /// Creates a stager.
    /// - Parameters:
    ///   - now: The wall clock used for signatures and URL expiry.
    ///   - clock: Sleeps between retries of release, list and clean (staging uses its context's).
    public init(
        configuration: S3Configuration, credentials: AWSCredentials, transport: any HTTPTransport,
        logger: Logger = Logger(label: "atom.s3", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() }, clock: any Clock<Duration> = ContinuousClock(),
        jitter: any JitterSource = SystemJitter()
    ) {
        self.configuration = configuration
        self.credentials = credentials
        self.clock = clock
        self.jitter = jitter
        self.client = S3Client(configuration: configuration, credentials: credentials, transport: transport, now: now, logger: logger)
    }

    /// Builds the stager from the credential store, like a ``PublisherFactory``.
    /// - Parameters:
    ///   - store: Process environment over `.env`.
    ///   - environment: The process environment, for `HOME` and the shared credentials file.
    /// - Returns: `nil` when `ATOM_S3_BUCKET` is unset (staging is off).
    /// - Throws: ``PublishError`` (`configuration`, platform `staging`) naming missing or malformed keys.
    public static func fromCredentials(
        _ store: any CredentialStore, transport: any HTTPTransport, environment: [String: String],
        logger: Logger = Logger(label: "atom.s3", factory: { _ in SwiftLogNoOpLogHandler() }),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> S3Stager? {
        let chain = AWSCredentialChain(store: store, environment: environment)
        guard let configuration = try S3Configuration.read(chain.setting) else { return nil }
        guard let (credentials, source) = try chain.resolve() else {
            let file = (try? chain.credentialsFilePath()) ?? "~/.aws/credentials"
            let profile = (try? chain.setting("AWS_PROFILE")) ?? "default"
            throw PublishError(
                .configuration, platform: .staging,
                message: "ATOM_S3_BUCKET is set but AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY are not (and \(file) has no [\(profile)] profile)",
                remediation: "add AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=… to .env, or unset ATOM_S3_BUCKET")
        }
        logger.debug("s3 staging configured", metadata: ["bucket": "\(configuration.bucket)", "credentials": "\(source)"])
        return S3Stager(configuration: configuration, credentials: credentials, transport: transport, logger: logger, now: now)
    }

    // MARK: MediaStager

    /// Uploads `file` under its content-derived key — skipped when `HEAD` finds it there already with the
    /// right size, resumed from `context.checkpoint` when a multipart upload was interrupted.
    /// - Throws: ``PublishError`` with platform `staging` (S3's code and message, a remediation line).
    public func stage(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws -> StagedObject {
        do {
            return try await upload(file, sha256: sha256, contentType: contentType, context: context)
        } catch {
            throw PublishError.wrapping(error, platform: .staging)
        }
    }

    /// A presigned `GET` URL valid for `duration` (clamped to 1 s…7 days), or base + key with `ATOM_S3_PUBLIC_BASE_URL`.
    /// The configured `ATOM_S3_URL_TTL`.
    public var urlLifetime: Duration { configuration.urlTTL }

    public func url(for object: StagedObject, validFor duration: Duration) async throws -> URL {
        if let base = configuration.publicBaseURL {
            var text = base.absoluteString
            while text.hasSuffix("/") { text.removeLast() }
            guard let url = URL(string: text + SigV4Signer.encodePath("/" + object.key)) else {
                throw PublishError(.configuration, platform: .staging, message: "cannot build a URL from ATOM_S3_PUBLIC_BASE_URL")
            }
            return url
        }
        let seconds = Int(min(max(duration.components.seconds, 1), Int64(SigV4Signer.maxPresignedLifetime)))
        return try client.presignedGetURL(key: object.key, seconds: seconds, date: client.now())
    }

    /// Deletes the staged object (a missing object counts as deleted).
    public func release(_ object: StagedObject) async throws {
        let retrier = Retrier(policy: configuration.retryPolicy, clock: clock, jitter: jitter)
        do {
            try await retrier.run { _ in try await client.deleteObject(key: object.key) }
        } catch {
            throw PublishError.wrapping(error, platform: .staging, operationID: "s3.delete")
        }
    }

    // MARK: Keys

    /// The key of the staged copy of a file with hash `sha256`.
    public func objectKey(sha256: String, fileExtension: String = "mp4") -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("atom-staging-object\n\(configuration.bucket)\n\(sha256)".utf8),
            using: SymmetricKey(data: Data(credentials.secretAccessKey.utf8)))
        let token = FileDigest.hex(mac.prefix(16))
        let ext = fileExtension.isEmpty ? "" : "." + fileExtension
        return "\(configuration.prefix)\(sha256)/\(token)\(ext)"
    }

    /// The file's extension if it is a short alphanumeric one, else `mp4`.
    static func fileExtension(of path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        return !ext.isEmpty && ext.count <= 5 && ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? ext : "mp4"
    }

    // MARK: Upload

    func upload(_ file: MediaFileHandle, sha256: String, contentType: String, context: StagingContext) async throws -> StagedObject {
        let key = objectKey(sha256: sha256, fileExtension: Self.fileExtension(of: file.path))
        let object = StagedObject(location: configuration.bucket, key: key, size: file.size)
        let retrier = context.retrier(configuration.retryPolicy)
        let checkpoint = context.checkpoint.flatMap { try? $0.decode(S3StagingCheckpoint.self) }
        if let stale = checkpoint, let uploadID = stale.uploadID, stale.key != key || stale.size != file.size {
            // A multipart upload of another key (the prefix or keys changed): nothing to resume, so free its parts.
            try? await client.abortMultipartUpload(key: stale.key, uploadID: uploadID)
        }
        if let existing = try await retrier.run({ _ in try await client.head(key: key) }), existing.size == file.size {
            context.progress.report(.uploading, sent: file.size, total: file.size, message: "already staged")
            return object
        }
        if file.size < configuration.multipartThreshold {
            try await putSingle(file, key: key, contentType: contentType, context: context)
        } else {
            let resumable = checkpoint.flatMap { $0.key == key && $0.size == file.size ? $0 : nil }
            try await MultipartUpload(client: client, file: file, key: key, contentType: contentType, context: context)
                .run(resuming: resumable)
        }
        return object
    }

    func putSingle(_ file: MediaFileHandle, key: String, contentType: String, context: StagingContext) async throws {
        let region = file.chunks(in: 0..<file.size, chunkSize: configuration.chunkSize)
        let plan = try await S3Payload.Plan.prepare(region, unsigned: client.sendsUnsignedPayload, checksum: configuration.requestChecksums)
        try await context.retrier(configuration.retryPolicy).run { attempt in
            if attempt > 1 { context.progress.report(.retrying, sent: 0, total: file.size, message: "retrying the upload (attempt \(attempt))") }
            let payload = plan.payload(onChunk: context.progress.byteCounter(startingAt: 0, total: file.size))
            try await client.putObject(key: key, payload: payload, contentType: contentType)
        }
    }
}
