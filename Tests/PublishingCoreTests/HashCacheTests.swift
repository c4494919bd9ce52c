import AtomTestSupport
import Foundation
import PublishingCore
@testable import PublishingEngine
import Testing

#if canImport(Glibc)
import Glibc
private typealias TimeSpec = Glibc.timespec
#elseif canImport(Darwin)
import Darwin
private typealias TimeSpec = Darwin.timespec
#endif

@Suite("Hash cache")
struct HashCacheTests {
    /// A clock an hour ahead, so files written by the test count as settled (older than the racy interval).
    static let later: @Sendable () -> Date = { Date().addingTimeInterval(3600) }

    /// Overwrites `path`'s first bytes in place and puts its modification time back: same identity, other content.
    static func overwriteKeepingIdentity(_ path: String, with bytes: [UInt8]) throws {
        let before = try MediaFileHandle(path: path).identity()
        let fd = open(path, O_WRONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
        let seconds = before.modifiedNanoseconds / 1_000_000_000
        let nanoseconds = before.modifiedNanoseconds % 1_000_000_000
        let time = TimeSpec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
        var times = [time, time]
        #expect(futimens(fd, &times) == 0)
        #expect(try MediaFileHandle(path: path).identity() == before)
    }

    /// Sets `path`'s modification time to `seconds` since 1970.
    static func setModified(_ path: String, seconds: Int) {
        var times = [TimeSpec(tv_sec: seconds, tv_nsec: 0), TimeSpec(tv_sec: seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test("a known file is answered from the cache without reading a byte of it")
    func hitReadsNothing() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/video.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 3 << 20, seed: 1)
            let cache = HashCache(directory: dir + "/state", now: Self.later)
            let first = try await cache.sha256(of: MediaFileHandle(path: path))
            #expect(first.cached == false)
            #expect(first.sha256 == (try await FileDigest.sha256(of: MediaFileHandle(path: path))))
            // Change the content but not the identity: a cache that read the file would see the change.
            try Self.overwriteKeepingIdentity(path, with: [UInt8](repeating: 0xAB, count: 4096))
            let second = try await cache.sha256(of: MediaFileHandle(path: path))
            #expect(second.cached == true)
            #expect(second.sha256 == first.sha256)
            // Another process (another HashCache on the same folder) finds it too.
            #expect(try await HashCache(directory: dir + "/state").sha256(of: MediaFileHandle(path: path)).cached)
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/state/hashes.json")
            let mode = attributes[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test("a change of modification time, size or inode misses and hashes the file anew")
    func identityChangesMiss() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/video.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 1 << 20, seed: 2)
            let cache = HashCache(directory: dir + "/state", now: Self.later)
            let original = try await cache.sha256(of: MediaFileHandle(path: path)).sha256

            // Same bytes, another modification time: hashed again (same digest, not from the cache).
            Self.setModified(path, seconds: 1_700_000_000)
            let touched = try await cache.sha256(of: MediaFileHandle(path: path))
            #expect(touched.cached == false)
            #expect(touched.sha256 == original)

            // Appended to, then the time put back: the size differs.
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([1, 2, 3]))
            try handle.close()
            Self.setModified(path, seconds: 1_700_000_000)
            let grown = try await cache.sha256(of: MediaFileHandle(path: path))
            #expect(grown.cached == false)
            #expect(grown.sha256 != original)

            // Replaced by rename with a file of the same size and time: another inode.
            try TemporaryDirectory.writeRandomFile(at: dir + "/other.mp4", size: (1 << 20) + 3, seed: 3)
            Self.setModified(dir + "/other.mp4", seconds: 1_700_000_000)
            #expect(rename(dir + "/other.mp4", path) == 0)
            let replaced = try await cache.sha256(of: MediaFileHandle(path: path))
            #expect(replaced.cached == false)
            #expect(replaced.sha256 != grown.sha256)
            #expect(try await cache.sha256(of: MediaFileHandle(path: path)).cached)
        }
    }

    @Test("a file modified just before it was read is not remembered (racy timestamps)")
    func recentFileNotRemembered() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/video.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 64 << 10, seed: 4)
            let modified = try MediaFileHandle(path: path).identity().modifiedNanoseconds
            let justAfter = Date(timeIntervalSince1970: TimeInterval(modified) / 1e9 + 1)
            let cache = HashCache(directory: dir + "/state", now: { justAfter })
            #expect(try await cache.sha256(of: MediaFileHandle(path: path)).cached == false)
            #expect(try await cache.sha256(of: MediaFileHandle(path: path)).cached == false)
            #expect(!FileManager.default.fileExists(atPath: cache.path))
        }
    }

    @Test("a corrupt or foreign cache file is an empty cache, and is replaced on the next store")
    func corruptFile() async throws {
        try await TemporaryDirectory.with { dir in
            let path = dir + "/video.mp4"
            try TemporaryDirectory.writeRandomFile(at: path, size: 64 << 10, seed: 5)
            let cache = HashCache(directory: dir, now: Self.later)
            let identity = try MediaFileHandle(path: path).identity()
            let forged = #"{"version":1,"entries":[{"identity":{"device":\#(identity.device),"inode":\#(identity.inode),"size":\#(identity.size),"modifiedNanoseconds":\#(identity.modifiedNanoseconds)},"sha256":"../not-a-digest"}]}"#
            try Data(forged.utf8).write(to: URL(filePath: cache.path))
            #expect(cache.lookup(identity) == nil)
            try Data("{not json".utf8).write(to: URL(filePath: cache.path))
            let result = try await cache.sha256(of: MediaFileHandle(path: path))
            #expect(result.cached == false)
            #expect(cache.lookup(identity) == result.sha256)
        }
    }

    @Test("beyond its capacity the least recently stored files are forgotten")
    func capacity() async throws {
        try await TemporaryDirectory.with { dir in
            let cache = HashCache(directory: dir, capacity: 2)
            let ids = (1...3).map { FileIdentity(device: 1, inode: UInt64($0), size: 10, modifiedNanoseconds: 5) }
            for (index, id) in ids.enumerated() { try cache.store(String(repeating: "\(index)", count: 64), for: id) }
            #expect(cache.lookup(ids[0]) == nil)
            #expect(cache.lookup(ids[1]) == String(repeating: "1", count: 64))
            #expect(cache.lookup(ids[2]) == String(repeating: "2", count: 64))
        }
    }

    @Test("a state folder that cannot be created is a storage error naming it")
    func unwritableFolder() async throws {
        try await TemporaryDirectory.with { dir in
            try Data("a file, not a folder".utf8).write(to: URL(filePath: dir + "/state"))
            let cache = HashCache(directory: dir + "/state/inner")
            let id = FileIdentity(device: 1, inode: 2, size: 3, modifiedNanoseconds: 4)
            #expect {
                try cache.store(String(repeating: "a", count: 64), for: id)
            } throws: { error in
                (error as? PublishError)?.code == .storage && "\(error)".contains(dir + "/state/inner")
            }
        }
    }

    @Test("a re-post of the same file hashes nothing; the cached hash finds the published entry")
    func repostHashesNothing() async throws {
        try await TemporaryDirectory.with { dir in
            let video = dir + "/video.mp4"
            try FileManager.default.copyItem(atPath: Fixtures.path("vertical.mp4"), toPath: video)
            let published = LockedBox(0)
            let publisher = ScriptedPublisher("one") { _, _ in
                published.withLock { $0 += 1 }
                return PublishReceipt(status: .published, postID: "1", url: nil)
            }
            let orchestrator = Orchestrator(
                stager: nil, records: RecordStore(directory: dir + "/state"), clock: ImmediateClock(), jitter: FixedJitter(0.5),
                hashes: HashCache(directory: dir + "/state", now: Self.later))
            let target = PostTarget(publisher: publisher, draft: PostDraft(caption: "hi"))
            let request = PostRequest(videoPath: video, targets: [target])
            func post() async throws -> (PostReport, [PublishEvent]) {
                let (stream, continuation) = AsyncStream<PublishEvent>.makeStream()
                let report = try await orchestrator.post(request, progress: continuation)
                continuation.finish()
                return (report, await collect(stream))
            }
            let (first, firstEvents) = try await post()
            #expect(firstEvents.contains { $0.phase == PublishPhase("hashing") })
            let (second, secondEvents) = try await post()
            #expect(!secondEvents.contains { $0.phase == PublishPhase("hashing") })
            #expect(second.sha256 == first.sha256)
            #expect(second.results.map(\.status) == [.skipped])
            #expect(published.withLock { $0 } == 1)
        }
    }
}

/// Every element of a finished stream.
private func collect<Element>(_ stream: AsyncStream<Element>) async -> [Element] {
    var all: [Element] = []
    for await element in stream { all.append(element) }
    return all
}
