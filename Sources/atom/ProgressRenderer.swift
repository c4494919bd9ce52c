import Foundation
import PublishingCore

/// Draws progress on stderr: a live line per platform with a bar on a TTY, plain log lines otherwise.
actor ProgressRenderer {
    private struct Line {
        var phase: PublishPhase
        var sent: Int64?
        var total: Int64?
        var message: String?
    }

    private let order: [PlatformID]
    private let tty: Bool
    private let quiet: Bool
    private var lines: [PlatformID: Line] = [:]
    private var drawnLines = 0
    private var lastPlain: [PlatformID: (phase: PublishPhase, decile: Int64)] = [:]
    private var lastDraw = ContinuousClock.now - .seconds(1)

    init(platforms: [PlatformID], tty: Bool, quiet: Bool) {
        self.order = platforms
        self.tty = tty
        self.quiet = quiet
    }

    func consume(_ events: AsyncStream<PublishEvent>) async {
        for await event in events { handle(event) }
        if tty, !quiet { draw(force: true) }
    }

    private func handle(_ event: PublishEvent) {
        guard !quiet else { return }
        var line = lines[event.platform] ?? Line(phase: event.phase)
        if event.phase != line.phase { line.sent = nil; line.total = nil }
        line.phase = event.phase
        if let sent = event.bytesSent { line.sent = sent }
        if let total = event.totalBytes { line.total = total }
        line.message = event.message
        lines[event.platform] = line
        if tty {
            draw(force: event.bytesSent == nil)
        } else {
            plain(event.platform, line)
        }
    }

    private func plain(_ platform: PlatformID, _ line: Line) {
        var decile: Int64 = -1
        if let sent = line.sent, let total = line.total, total > 0 { decile = sent * 10 / total }
        if let last = lastPlain[platform], last.phase == line.phase, last.decile == decile, line.message == nil { return }
        lastPlain[platform] = (line.phase, decile)
        var text = "[\(platform)] \(line.phase)"
        if let sent = line.sent, let total = line.total, total > 0 {
            text += " \(sent * 100 / total)% (\(ByteFormat.string(sent))/\(ByteFormat.string(total)))"
        }
        if let message = line.message { text += " — \(Redaction.outsideText(message, limit: 160))" }
        Console.info(text)
    }

    private func draw(force: Bool) {
        let now = ContinuousClock.now
        guard force || now - lastDraw > .milliseconds(100) else { return }
        lastDraw = now
        var output = ""
        if drawnLines > 0 { output += "\u{1B}[\(drawnLines)F" }
        let platforms = order + lines.keys.filter { !order.contains($0) }.sorted()
        var count = 0
        for platform in platforms {
            guard let line = lines[platform] else { continue }
            output += "\u{1B}[2K" + render(platform, line) + "\n"
            count += 1
        }
        drawnLines = count
        FileHandle.standardError.write(Data(Redaction.redact(output).utf8))
    }

    private func render(_ platform: PlatformID, _ line: Line) -> String {
        let name = platform.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
        var text = "\(name) "
        if let sent = line.sent, let total = line.total, total > 0 {
            let fraction = min(1, Double(sent) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            text += "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            text += String(format: "%3d%% ", Int(fraction * 100))
            text += "\(ByteFormat.string(sent))/\(ByteFormat.string(total)) "
        }
        text += line.phase.rawValue
        if let message = line.message { text += " — \(Redaction.outsideText(message, limit: 160))" }
        return String(text.prefix(160))
    }
}
