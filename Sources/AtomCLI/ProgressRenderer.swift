import Foundation
import PublishingCore

/// Draws progress on stderr: a live row per platform on a terminal, plain log lines otherwise.
///
/// Rows are cut to the terminal's width, measured at every draw (so a resize is followed), so a row never
/// wraps and the redraw (cursor up over the rows just drawn, erase, draw) never leaves stale rows. Every
/// other stderr message while it is live (`Console.info`, the Ctrl-C notice) goes through ``message(_:)``,
/// which prints the message above the rows and redraws them.
final class LiveDisplay: Sendable {
    /// The display drawing right now, if any, so `Console.info` can route through it.
    static let current = LockedBox<LiveDisplay?>(nil)

    private struct Row {
        var phase: PublishPhase
        var sent: Int64?
        var total: Int64?
        var message: String?
    }

    private struct State {
        var rows: [PlatformID: Row] = [:]
        var order: [PlatformID]
        /// The widths of the rows on screen, to move back over them.
        var drawn: [Int] = []
        var lastDraw = ContinuousClock.now - .seconds(1)
        var lastPlain: [PlatformID: (phase: PublishPhase, decile: Int64)] = [:]
    }

    private let state: LockedBox<State>
    private let tty: Bool
    private let quiet: Bool
    private let palette: Palette
    private let write: @Sendable (String) -> Void
    private let width: @Sendable () -> Int

    /// - Parameters:
    ///   - tty: Draw live rows (stderr is a terminal) rather than plain lines.
    ///   - width: The terminal's width now.
    ///   - write: Writes to stderr.
    init(
        platforms: [PlatformID], tty: Bool, quiet: Bool, palette: Palette = Palette(enabled: false),
        width: @escaping @Sendable () -> Int = Terminal.width, write: @escaping @Sendable (String) -> Void = Terminal.writeStderr
    ) {
        self.state = LockedBox(State(order: [PlatformID("video")] + platforms))
        self.tty = tty
        self.quiet = quiet
        self.palette = palette
        self.width = width
        self.write = write
    }

    /// Draws every event until the stream ends.
    func consume(_ events: AsyncStream<PublishEvent>) async {
        for await event in events { handle(event) }
        if tty, !quiet { state.withLock { draw(&$0, force: true) } }
    }

    /// Sets each platform's row to its final status (so no row stays at "17% uploading") and draws once.
    func finish(_ statuses: [(PlatformID, String)]) {
        guard tty, !quiet else { return }
        state.withLock { state in
            for (platform, status) in statuses where state.rows[platform] != nil {
                state.rows[platform] = Row(phase: PublishPhase(status))
            }
            draw(&state, force: true)
        }
    }

    /// Prints a message (ending in a newline) above the live rows, then redraws them.
    func message(_ text: String) {
        guard tty else { return write(text) }
        state.withLock { state in
            write(erase(&state) + text)
            draw(&state, force: true)
        }
    }

    private func handle(_ event: PublishEvent) {
        guard !quiet else { return }
        state.withLock { state in
            var row = state.rows[event.platform] ?? Row(phase: event.phase)
            if event.phase != row.phase { row.sent = nil; row.total = nil }
            row.phase = event.phase
            if let sent = event.bytesSent { row.sent = sent }
            if let total = event.totalBytes { row.total = total }
            row.message = event.message
            state.rows[event.platform] = row
            if tty {
                let complete = row.sent != nil && row.sent == row.total
                draw(&state, force: event.bytesSent == nil || complete)
            } else {
                plain(&state, event.platform, row)
            }
        }
    }

    private func plain(_ state: inout State, _ platform: PlatformID, _ row: Row) {
        var decile: Int64 = -1
        if let sent = row.sent, let total = row.total, total > 0 { decile = sent * 10 / total }
        if let last = state.lastPlain[platform], last.phase == row.phase, last.decile == decile, row.message == nil { return }
        state.lastPlain[platform] = (row.phase, decile)
        var text = "[\(platform)] \(row.phase)"
        if let sent = row.sent, let total = row.total, total > 0 {
            text += " \(sent * 100 / total)% (\(ByteFormat.string(sent))/\(ByteFormat.string(total)))"
        }
        if let message = row.message { text += " — \(Redaction.outsideText(message, limit: 160))" }
        write(Redaction.redact(Text.oneLine(text)) + "\n")
    }

    /// Moves the cursor back to the first live row and clears from there down; returns the escape codes.
    private func erase(_ state: inout State) -> String {
        guard !state.drawn.isEmpty else { return "" }
        let columns = max(1, width())
        // A row drawn at a wider width may wrap now that the terminal is narrower: count its screen lines.
        let lines = state.drawn.reduce(0) { $0 + max(1, ($1 + columns - 1) / columns) }
        state.drawn = []
        return "\r\u{1B}[\(lines)A\u{1B}[J"
    }

    private func draw(_ state: inout State, force: Bool) {
        let now = ContinuousClock.now
        guard force || now - state.lastDraw > .milliseconds(100) else { return }
        state.lastDraw = now
        let columns = max(20, width())
        var output = erase(&state)
        let platforms = state.order + state.rows.keys.filter { !state.order.contains($0) }.sorted()
        var drawn: [Int] = []
        for platform in platforms {
            guard let row = state.rows[platform] else { continue }
            // One column spare: some terminals wrap when the last column is written.
            let text = Text.fit(Redaction.redact(Text.oneLine(render(platform, row))), width: columns - 1)
            output += colour(text, phase: row.phase) + "\n"
            drawn.append(text.count)
        }
        state.drawn = drawn
        write(output)
    }

    private func colour(_ text: String, phase: PublishPhase) -> String {
        guard palette.enabled, let range = text.range(of: phase.rawValue, options: .backwards) else { return text }
        return text.replacingCharacters(in: range, with: palette.status(phase.rawValue))
    }

    private func render(_ platform: PlatformID, _ row: Row) -> String {
        let name = platform.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
        var text = "\(name) "
        if let sent = row.sent, let total = row.total, total > 0 {
            let fraction = min(1, Double(sent) / Double(total))
            let width = 20
            let filled = Int(fraction * Double(width))
            text += "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            text += String(format: "%3d%% ", Int(fraction * 100))
            text += "\(ByteFormat.string(sent))/\(ByteFormat.string(total)) "
        }
        text += row.phase.rawValue
        if let message = row.message { text += " — \(Redaction.outsideText(message, limit: 160))" }
        return text
    }
}

/// The terminal: its width, and stderr.
enum Terminal {
    /// The width of the terminal on stderr (`TIOCGWINSZ`), else `COLUMNS`, else 80.
    @Sendable static func width() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return columnsFallback
    }

    /// The width of the terminal on stdout, else `COLUMNS`, else 80 (for tables printed as results).
    static func outputWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return columnsFallback
    }

    /// `COLUMNS` as the shell exported it (when stderr is not a terminal atom cannot ask it).
    static let columnsFallback = Launch.environment["COLUMNS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 80

    @Sendable static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
