import ArgumentParser
import Foundation
import PublishingCore

/// `atom digest <file>`: the SHA-256 atom records for a file (what makes a re-post `skipped`).
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest", abstract: "Print the SHA-256 atom uses to recognise a video (streamed, bounded memory).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The file.", completion: .file())
    var file: String

    func run() async throws {
        do {
            let handle = try MediaFileHandle(path: file)
            let start = ContinuousClock.now
            let digest = try await FileDigest.sha256(of: handle)
            let elapsed = ContinuousClock.now - start
            if global.json {
                struct Payload: Encodable {
                    var schemaVersion = Output.schemaVersion
                    var file: String
                    var sha256: String
                    var size: Int64
                }
                try Output.json(Payload(file: file, sha256: digest, size: handle.size))
                return
            }
            Console.out("\(digest)  \(file)")
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds > 0 {
                let rate = String(format: "%.1f MiB/s", Double(handle.size) / 1_048_576 / seconds)
                Console.info("\(rate) (\(ByteFormat.string(handle.size)) in \(String(format: "%.2f", seconds)) s)")
            }
        } catch {
            throw Failure.report(error, json: global.json)
        }
    }
}
