import Foundation
import PublishingCore
import PublishingEngine

/// atom's two records in the state folder: `records.json` for real posts, and `sandbox-records.json` for posts to the
/// built-in sandbox or to platform endpoints on loopback. A sandbox is an environment and the record it writes to: the
/// engine is handed one of the two and never knows which, so a sandbox post is never a duplicate of a real one (nor
/// the other way round), and staging records of sandbox runs stay with the sandbox's entries. What shows the owner
/// their data (`history`, `status`, `history show`, `history forget`, `unpublish`) reads both.
struct RecordBook: Sendable {
    /// The sandbox record's file name, without `.json`.
    static let sandboxBaseName = "sandbox-records"

    /// `records.json`: real posts.
    let real: RecordStore
    /// `sandbox-records.json`: sandbox posts.
    let sandbox: RecordStore

    /// The state folder.
    var directory: String { real.directory }

    /// The book in `directory`, as it is (see ``open(directory:)`` for the one that moves earlier versions' entries).
    init(directory: String) {
        real = RecordStore(directory: directory)
        sandbox = RecordStore(directory: directory, baseName: Self.sandboxBaseName)
    }

    /// The book in `directory`, after moving sandbox entries an earlier atom wrote into `records.json` to the sandbox
    /// record (``migrate()``): what every command that uses the record opens.
    static func open(directory: String) throws -> RecordBook {
        let book = RecordBook(directory: directory)
        try book.migrate()
        return book
    }

    /// The record of one environment.
    func store(sandbox: Bool) -> RecordStore { sandbox ? self.sandbox : real }

    /// Every entry of both records, each with the record it is in.
    func entries() async throws -> [RecordEntry] {
        let real = try await self.real.readAsync().entries.map { RecordEntry(record: $0, sandbox: false) }
        let sandbox = try await self.sandbox.readAsync().entries.map { RecordEntry(record: $0, sandbox: true) }
        return real + sandbox
    }

    /// The entry with id `id`, or the one whose id starts with `id`, in either record.
    /// - Returns: `nil` when none matches, or when the prefix matches more than one entry.
    func entry(_ id: String) async throws -> RecordEntry? {
        Self.entry(id, in: try await entries())
    }

    /// The entry `id` names among `entries` by ``RecordFile/index(ofID:)``'s rule (the id itself, or the one id it
    /// is a unique prefix of), applied across both records at once.
    static func entry(_ id: String, in entries: [RecordEntry]) -> RecordEntry? {
        var both = RecordFile.empty
        both.entries = entries.map(\.record)
        return both.index(ofID: id).map { entries[$0] }
    }

    /// Moves the entries an earlier atom marked `"sandbox": true` in `records.json` to `sandbox-records.json`, with
    /// the staging records only they used. The sandbox record is written first, adding only ids it lacks, and then
    /// `records.json` drops them; both under `records.json`'s lock. A crash in between leaves an entry in both
    /// records, and the next run finishes the move. Every write's failure is thrown.
    func migrate() throws {
        // Cheap check first: no file, or no `"sandbox"` anywhere in it, is nothing to move.
        guard let data = FileManager.default.contents(atPath: real.path), data.range(of: Data("\"sandbox\"".utf8)) != nil else {
            return
        }
        let legacy = StateFileStore<LegacyRecordFile>(directory: real.directory, baseName: real.baseName)
        let sandbox = self.sandbox
        try legacy.update { file in
            let marked = file.record.entries.indices.filter { file.marked[$0] }
            guard !marked.isEmpty else { return }
            let moving = marked.map { file.record.entries[$0] }
            let staying = file.record.entries.indices.filter { !file.marked[$0] }.map { file.record.entries[$0] }
            // A staging record goes along when only moving entries are of its video.
            let movingDigests = Set(moving.map(\.sha256)).subtracting(staying.map(\.sha256))
            let stagingMoving = file.record.staging.filter { movingDigests.contains($0.sha256) }
            try sandbox.update { target in
                let present = Set(target.entries.map(\.id))
                target.entries += moving.filter { !present.contains($0.id) }
                for staged in stagingMoving
                where !target.staging.contains(where: { $0.sha256 == staged.sha256 && $0.location == staged.location && $0.key == staged.key }) {
                    target.staging.append(staged)
                }
            }
            file.record.entries = staying
            file.record.staging.removeAll { movingDigests.contains($0.sha256) }
            file.marked = Array(repeating: false, count: staying.count)
        }
    }
}

/// A record entry with the record it is in. Encodes as the entry, plus `"sandbox": true` for the sandbox record's
/// (what `atom history show` prints, as earlier versions stored it).
struct RecordEntry: Sendable, Encodable {
    var record: PostRecord
    var sandbox: Bool

    private enum Key: String, CodingKey { case sandbox }

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        if sandbox { try container.encode(true, forKey: .sandbox) }
    }
}

/// `records.json` as earlier versions wrote it, where an entry posted to the sandbox carried `"sandbox": true`.
/// Only ``RecordBook/migrate()`` reads it, and it writes back only after removing every marked entry, so it is
/// written as a plain ``RecordFile``.
struct LegacyRecordFile: StateFile {
    static var currentVersion: Int { RecordFile.currentVersion }
    static var fileKind: (baseName: String, noun: String, invalidFileRemediation: String) { RecordFile.fileKind }
    static var empty: LegacyRecordFile { LegacyRecordFile(record: .empty, marked: []) }

    var record: RecordFile
    /// For each of `record.entries`, in order: whether it is marked as a sandbox entry.
    var marked: [Bool]
    var version: Int { record.version }

    private enum Key: String, CodingKey { case entries }
    private struct Mark: Decodable { var sandbox: Bool? }

    init(record: RecordFile, marked: [Bool]) {
        self.record = record
        self.marked = marked
    }

    init(from decoder: any Decoder) throws {
        record = try RecordFile(from: decoder)
        let marks = try decoder.container(keyedBy: Key.self).decodeIfPresent([Mark].self, forKey: .entries) ?? []
        marked = marks.map { $0.sandbox == true }
        guard marked.count == record.entries.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [Key.entries], debugDescription: "entries read twice differ"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        guard !marked.contains(true) else {
            throw EncodingError.invalidValue(marked, .init(codingPath: [Key.entries], debugDescription: "sandbox entries left unmoved"))
        }
        try record.encode(to: encoder)
    }
}
