import AtomTestSupport
import Foundation
import PublishingCore
import PublishingEngine
import Testing

@Suite("RecordStore")
struct RecordStoreTests {
    func entry(_ id: String) -> PostRecord {
        PostRecord(id: id, platform: PlatformID("p"), status: .published, video: "v.mp4", sha256: id, sizeBytes: 1, createdAt: Date(), updatedAt: Date())
    }

    @Test("concurrent read-modify-writes from many handles lose nothing")
    func concurrentUpdates() async throws {
        try await TemporaryDirectory.with { dir in
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        let store = RecordStore(directory: dir)  // its own descriptors, like another process
                        _ = try? await store.updateAsync { $0.entries.append(self.entry("e\(i)")) }
                    }
                }
            }
            let file = try RecordStore(directory: dir).read()
            #expect(file.entries.count == 40)
            #expect(file.version == RecordFile.currentVersion)
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/records.json")[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
        }
    }

    @Test("a record written by an older atom, with the retired `phase` key, still reads")
    func oldRecordWithPhase() async throws {
        try await TemporaryDirectory.with { dir in
            let store = RecordStore(directory: dir)
            try store.update { $0.entries.append(entry("old")) }
            let path = dir + "/records.json"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let old = text.replacingOccurrences(of: "\"id\"", with: "\"phase\":\"uploading\",\"id\"")
            #expect(old.contains("\"phase\""))
            try Data(old.utf8).write(to: URL(fileURLWithPath: path))
            let file = try RecordStore(directory: dir).read()
            #expect(file.entries.map(\.id) == ["old"])
        }
    }

    @Test("a second process holding the lock makes writers wait, and both changes survive")
    func crossProcess() async throws {
        try await TemporaryDirectory.with { dir in
            let store = RecordStore(directory: dir)
            try store.update { $0.entries.append(entry("first")) }
            // Another process: takes the flock, waits, appends an entry the same way atom does, releases.
            let script = """
                import fcntl, json, os, sys, time
                d = sys.argv[1]
                with open(os.path.join(d, "records.lock"), "a+") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                    open(os.path.join(d, "locked"), "w").close()
                    time.sleep(0.5)
                    path = os.path.join(d, "records.json")
                    data = json.load(open(path))
                    data["entries"].append(dict(data["entries"][0], id="python"))
                    tmp = path + ".py"
                    json.dump(data, open(tmp, "w"))
                    os.replace(tmp, path)
                    fcntl.flock(lock, fcntl.LOCK_UN)
                """
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", script, dir]
            try python.run()
            while !FileManager.default.fileExists(atPath: dir + "/locked") { try await Task.sleep(for: .milliseconds(10)) }
            try await store.updateAsync { $0.entries.append(self.entry("swift")) }
            python.waitUntilExit()
            #expect(python.terminationStatus == 0)
            let ids = try store.read().entries.map(\.id)
            #expect(ids == ["first", "python", "swift"])
        }
    }

    @Test("a corrupt record is reported clearly, not overwritten")
    func corrupt() async throws {
        try await TemporaryDirectory.with { dir in
            try "{not json".write(toFile: dir + "/records.json", atomically: true, encoding: .utf8)
            let error = #expect(throws: PublishError.self) { try RecordStore(directory: dir).read() }
            #expect(error?.code == .storage)
            #expect(try String(contentsOfFile: dir + "/records.json", encoding: .utf8) == "{not json")
        }
    }
}
