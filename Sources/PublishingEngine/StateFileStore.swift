import Foundation
import NIOPosix
import PublishingCore

/// A versioned JSON file that atom keeps in its state folder (the record, the scheduled jobs).
public protocol StateFile: Codable, Equatable, Sendable {
    /// The schema version this build writes; a file with a higher one is refused.
    static var currentVersion: Int { get }
    /// Where the file lives in the state folder and how messages name it: `<baseName>.json`, locked through
    /// `<baseName>.lock`; what it holds ("record"); what to do when it cannot be read ("move the file aside; …").
    static var fileKind: (baseName: String, noun: String, invalidFileRemediation: String) { get }
    /// The version the file was written with.
    var version: Int { get }
    /// The empty file (what a missing file reads as).
    static var empty: Self { get }
}

/// A ``StateFile`` under a state folder: versioned, written atomically, safe with several atom processes at once
/// (every read-modify-write holds an exclusive `flock` on the file's lock file).
public final class StateFileStore<File: StateFile>: Sendable {
    /// The state folder.
    public let directory: String
    /// The file's name without `.json`: the file kind's own, unless the store was opened on another.
    public let baseName: String
    /// The file's path.
    public var path: String { directory + "/\(baseName).json" }
    private var lockPath: String { directory + "/\(baseName).lock" }

    /// Uses `directory` (created with mode 0700 when first written).
    /// - Parameter baseName: The file to use, `<baseName>.json` locked through `<baseName>.lock`: a second file of
    ///   the same kind beside the usual one (default: the kind's `baseName`).
    public init(directory: String, baseName: String = File.fileKind.baseName) {
        self.directory = directory
        self.baseName = baseName
    }

    /// Reads the file (a missing or empty file is an empty one).
    public func read() throws -> File {
        try withLock { try load() }
    }

    /// Reads, lets `body` change the file, writes it back atomically — all under the lock.
    @discardableResult
    public func update<T>(_ body: (inout File) throws -> T) throws -> T {
        try withLock {
            var file = try load()
            let before = file
            let result = try body(&file)
            if file != before { try save(file) }
            return result
        }
    }

    /// ``update(_:)`` on the blocking-I/O pool. Runs to completion even when the caller is cancelled:
    /// the record must say `interrupted` after a Ctrl-C.
    @discardableResult
    public func updateAsync<T: Sendable>(_ body: @escaping @Sendable (inout File) throws -> T) async throws -> T {
        try await Task { try await NIOThreadPool.singleton.runIfActive { try self.update(body) } }.value
    }

    /// ``read()`` on the blocking-I/O pool.
    public func readAsync() async throws -> File {
        try await Task { try await NIOThreadPool.singleton.runIfActive { try self.read() } }.value
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        try StateFolderLock.withLock(directory: directory, lockPath: lockPath, body)
    }

    private func load() throws -> File {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return .empty }
        let file: File
        do {
            file = try JSONDecoder.atom.decode(File.self, from: data)
        } catch {
            throw PublishError(.storage, message: "\(path) is not a valid atom \(File.fileKind.noun): \(error)",
                               remediation: File.fileKind.invalidFileRemediation)
        }
        guard file.version <= File.currentVersion else {
            throw PublishError(.storage, message: "\(path) was written by a newer atom (schema \(file.version))", remediation: "upgrade atom")
        }
        return file
    }

    private func save(_ file: File) throws {
        let encoder = JSONEncoder.atom
        encoder.outputFormatting.insert(.prettyPrinted)
        try AtomicFile.write(try encoder.encode(file), to: path, mode: 0o600)
    }
}
