import Foundation
import OpenAPIRuntime
import PublishingCore

/// What atom journals about an S3 upload so that a rerun resumes it.
struct S3StagingCheckpoint: Codable, Sendable, Equatable {
    /// The object key.
    var key: String
    /// The file size the upload is for.
    var size: Int64
    /// The part size chosen when the upload began (parts must keep their boundaries).
    var partSize: Int64?
    /// The multipart upload id, while one is open.
    var uploadID: String?
    /// Parts known to be uploaded (ListParts stays the authority when resuming).
    var parts: [S3Part]
    /// Whether the upload was created with CRC-32C checksums (every part then carries one); nil from atom versions
    /// that sent none, whose uploads resume without them.
    var checksums: Bool?
}

/// One multipart upload: create (or resume with ListParts), send the missing parts a few at a time,
/// complete; abort when cancelled or when the failure makes resuming pointless.
struct MultipartUpload: Sendable {
    let client: S3Client
    let file: MediaFileHandle
    let key: String
    let contentType: String
    let context: StagingContext

    var configuration: S3Configuration { client.configuration }

    func run(resuming checkpoint: S3StagingCheckpoint?) async throws {
        let retrier = context.retrier(configuration.retryPolicy)
        var partSize = configuration.partSize(forFileSize: file.size)
        var uploadID: String?
        var done: [Int: S3Part] = [:]
        var checksums = configuration.requestChecksums
        if let checkpoint, let previous = checkpoint.uploadID, let previousSize = checkpoint.partSize {
            do {
                let listed = try await retrier.run { _ in try await client.listParts(key: key, uploadID: previous) }
                let count = Self.partCount(size: file.size, partSize: previousSize)
                let withChecksums = checkpoint.checksums ?? false
                let journaled = Dictionary(checkpoint.parts.map { ($0.number, $0) }, uniquingKeysWith: { _, last in last })
                for part in listed where (1...count).contains(part.number) {
                    // A part counts only if it has exactly the bytes it should (ListParts is the authority), and, in an
                    // upload with checksums, a known checksum (CompleteMultipartUpload must list it): the one S3 lists, or
                    // the one atom journaled when it sent that very part (same ETag), for servers whose ListParts omits it.
                    let checksum = part.checksumCRC32C ?? journaled[part.number].flatMap { $0.eTag == part.eTag ? $0.checksumCRC32C : nil }
                    if part.size == nil || part.size == Self.range(of: part.number, partSize: previousSize, size: file.size).count,
                       !withChecksums || checksum != nil {
                        done[part.number] = S3Part(number: part.number, eTag: part.eTag, size: part.size, checksumCRC32C: withChecksums ? checksum : nil)
                    }
                }
                uploadID = previous
                partSize = previousSize
                checksums = withChecksums
                context.progress.report(.uploading, message: "resuming the S3 upload: \(done.count) of \(count) parts already there")
            } catch let error as PublishError where error.code == .notFound {
                done = [:]  // the upload was aborted or expired: start a new one
            }
        }
        if uploadID == nil {
            uploadID = try await retrier.run { [checksums] _ in
                try await client.createMultipartUpload(key: key, contentType: contentType, checksums: checksums)
            }
        }
        guard let uploadID else { return }
        let ledger = PartLedger(
            checkpoint: S3StagingCheckpoint(
                key: key, size: file.size, partSize: partSize, uploadID: uploadID, parts: [], checksums: checksums), done: done,
            journal: context.journal)
        try await ledger.save()
        do {
            try await sendParts(uploadID: uploadID, partSize: partSize, checksums: checksums, ledger: ledger)
            let parts = await ledger.parts
            try await retrier.run { _ in try await client.completeMultipartUpload(key: key, uploadID: uploadID, parts: parts) }
        } catch {
            let cancelled = Task.isCancelled || error is CancellationError || (error as? PublishError)?.code == .cancelled
            // Keep the upload for a rerun only when the failure was transient (network, 5xx) and not a cancellation.
            if cancelled || !RetryPolicy.isRetryable(error) {
                let client = self.client
                let key = self.key
                // A cancelled task's own requests fail at once: abort from an unstructured, uncancelled task, awaited here.
                _ = await Task { await client.abortUntilGone(key: key, uploadID: uploadID, retrier: retrier) }.value
                // A record that cannot be written is reported (it outranks the upload's own failure).
                try await ledger.forget()
            } else {
                try await ledger.flush()  // the parts sent so far, for the rerun
            }
            throw error
        }
    }

    /// Uploads every part not in the ledger, at most `concurrency` at once; the first failure cancels the rest.
    func sendParts(uploadID: String, partSize: Int64, checksums: Bool, ledger: PartLedger) async throws {
        let count = Self.partCount(size: file.size, partSize: partSize)
        let missing = await (1...count).asyncFilter { await ledger.has($0) == false }
        let alreadySent = file.size - missing.reduce(Int64(0)) { $0 + Self.range(of: $1, partSize: partSize, size: file.size).count }
        let progress = PartProgress(base: alreadySent, total: file.size, reporter: context.progress)
        let payloadUnsigned = client.sendsUnsignedPayload
        try await withThrowingTaskGroup(of: Void.self) { group in
            var queue = missing.makeIterator()
            func addNext(_ group: inout ThrowingTaskGroup<Void, any Error>) {
                guard let number = queue.next() else { return }
                group.addTask {
                    try await sendPart(
                        number, uploadID: uploadID, partSize: partSize, unsigned: payloadUnsigned, checksum: checksums, ledger: ledger, progress: progress)
                }
            }
            for _ in 0..<configuration.concurrency { addNext(&group) }
            while try await group.next() != nil { addNext(&group) }
        }
    }

    func sendPart(
        _ number: Int, uploadID: String, partSize: Int64, unsigned: Bool, checksum: Bool, ledger: PartLedger, progress: PartProgress
    ) async throws {
        let range = Self.range(of: number, partSize: partSize, size: file.size)
        let region = file.chunks(in: range.lowerBound..<range.upperBound, chunkSize: configuration.chunkSize)
        // A signed payload is hashed once, before the first attempt; an unsigned one checksums itself as it is sent.
        let plan = try await S3Payload.Plan.prepare(region, unsigned: unsigned, checksum: checksum)
        let sent = try await context.retrier(configuration.retryPolicy).run(onRetry: { attempt, error, delay in
            progress.reset(number)
            context.progress.report(.retrying, message: "part \(number): \(PublishError.wrapping(error, platform: .staging).redactedMessage); retry \(attempt) in \(delay)")
        }) { _ in
            try await client.uploadPart(key: key, uploadID: uploadID, number: number, payload: plan.payload(onChunk: { progress.add($0, to: number) }))
        }
        try await ledger.record(S3Part(number: number, eTag: sent.eTag, size: range.count, checksumCRC32C: sent.checksum))
    }

    static func partCount(size: Int64, partSize: Int64) -> Int { max(1, Int((size + partSize - 1) / partSize)) }

    static func range(of number: Int, partSize: Int64, size: Int64) -> (lowerBound: Int64, upperBound: Int64, count: Int64) {
        let lower = Int64(number - 1) * partSize
        let upper = min(lower + partSize, size)
        return (lower, upper, upper - lower)
    }
}

/// The parts uploaded so far; journals the checkpoint as parts finish (every couple of seconds at most, see ``Journal``).
actor PartLedger {
    private var checkpoint: S3StagingCheckpoint
    private var done: [Int: S3Part]
    private let journal: Journal

    init(checkpoint: S3StagingCheckpoint, done: [Int: S3Part], journal: Journal) {
        self.checkpoint = checkpoint
        self.done = done
        self.journal = journal
    }

    var parts: [S3Part] { done.values.sorted { $0.number < $1.number } }

    func has(_ number: Int) -> Bool { done[number] != nil }

    func record(_ part: S3Part) async throws {
        done[part.number] = part
        checkpoint.parts = parts
        try await journal.saveProgress(checkpoint)
    }

    /// Writes the parts that ``record(_:)`` held back.
    func flush() async throws { try await journal.flush() }

    func save() async throws {
        checkpoint.parts = parts
        try await journal.save(checkpoint)
    }

    /// Clears the upload id from the journal (after an abort).
    func forget() async throws {
        checkpoint.uploadID = nil
        checkpoint.parts = []
        try await journal.save(checkpoint)
    }
}

/// Byte progress over parts in flight; a retried part starts its count again.
final class PartProgress: Sendable {
    private let state: LockedBox<(perPart: [Int: Int64], sent: Int64)>
    private let total: Int64
    private let reporter: ProgressReporter

    init(base: Int64, total: Int64, reporter: ProgressReporter) {
        self.state = LockedBox(([:], base))
        self.total = total
        self.reporter = reporter
    }

    func add(_ count: Int, to part: Int) {
        let sent = state.withLock { value -> Int64 in
            value.perPart[part, default: 0] += Int64(count)
            value.sent += Int64(count)
            return value.sent
        }
        reporter.report(.uploading, sent: sent, total: total)
    }

    func reset(_ part: Int) {
        state.withLock { value in
            value.sent -= value.perPart[part] ?? 0
            value.perPart[part] = 0
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncFilter(_ isIncluded: (Element) async -> Bool) async -> [Element] {
        var result: [Element] = []
        for element in self where await isIncluded(element) { result.append(element) }
        return result
    }
}
