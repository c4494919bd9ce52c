import Foundation

/// A small terminal emulator: enough of VT100/xterm to replay what atom draws on stderr and look at the
/// final screen (printable text with auto-wrap, CR, LF, cursor up/previous line, erase line/display, SGR).
struct TerminalScreen {
    let columns: Int
    private(set) var rows: [[Character]] = [[]]
    private(set) var row = 0
    private(set) var column = 0
    /// How many times a line was wrapped because text reached the right margin.
    private(set) var wraps = 0

    init(columns: Int) { self.columns = columns }

    /// The screen's lines, trailing spaces removed.
    var lines: [String] {
        var lines = rows.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    mutating func feed(_ text: String) {
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\u{1B}":
                guard scalars.first == "[" else { _ = scalars.popFirst(); continue }
                scalars.removeFirst()
                var parameters = ""
                while let next = scalars.first, (0x30...0x3F).contains(next.value) { parameters.unicodeScalars.append(scalars.removeFirst()) }
                guard let final = scalars.popFirst() else { return }
                apply(final, parameters)
            case "\r": column = 0
            case "\n": lineFeed(); column = 0  // the pty's ONLCR turns \n into \r\n
            case "\u{8}": column = max(0, column - 1)
            default:
                guard scalar.value >= 0x20 else { continue }
                if column >= columns {
                    wraps += 1
                    lineFeed()
                    column = 0
                }
                put(Character(scalar))
                column += 1
            }
        }
    }

    private mutating func apply(_ final: Unicode.Scalar, _ parameters: String) {
        let numbers = parameters.split(separator: ";").map { Int($0) ?? 0 }
        let count = max(1, numbers.first ?? 1)
        switch final {
        case "A": row = max(0, row - count)
        case "F": row = max(0, row - count); column = 0
        case "E": for _ in 0..<count { lineFeed() }; column = 0
        case "G": column = max(0, count - 1)
        case "K":
            ensureRow()
            switch numbers.first ?? 0 {
            case 2: rows[row] = []
            case 1: for index in 0..<min(column + 1, rows[row].count) { rows[row][index] = " " }
            default: if column < rows[row].count { rows[row].removeSubrange(column...) }
            }
        case "J":
            ensureRow()
            if (numbers.first ?? 0) == 0 {
                if column < rows[row].count { rows[row].removeSubrange(column...) }
                if row + 1 < rows.count { rows.removeSubrange((row + 1)...) }
            } else {
                rows = [[]]
                row = 0
            }
        default: break  // SGR colours and anything else: no effect on the text
        }
    }

    private mutating func lineFeed() {
        row += 1
        ensureRow()
    }

    private mutating func ensureRow() {
        while rows.count <= row { rows.append([]) }
    }

    private mutating func put(_ character: Character) {
        ensureRow()
        while rows[row].count < column { rows[row].append(" ") }
        if column < rows[row].count { rows[row][column] = character } else { rows[row].append(character) }
    }
}

/// Runs the built `atom` with stderr on a pseudo-terminal of a given size (stdout on a pipe), capturing both.
enum PTYRun {
    struct Result {
        var code: Int32
        var stdout: String
        /// Everything atom wrote to the terminal, escape codes included.
        var terminal: String
    }

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String, columns: UInt16,
        interruptWhen trigger: String? = nil
    ) async throws -> Result {
        // /dev/ptmx as posix_openpt does; unlock (TIOCSPTLCK) and find the slave's number (TIOCGPTN) as
        // unlockpt and ptsname do on Linux (Glibc's module does not export those three).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, UInt(0x4004_5431), &unlock) == 0, ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no pseudo-terminal"])
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        var size = winsize(ws_row: 40, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        close(slave)
        let pid = process.processIdentifier
        // Read the terminal until the child closes it (EIO on Linux), on a thread of its own.
        let terminal = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var trigger = trigger
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = read(master, &buffer, buffer.count)
                    if count <= 0 { break }
                    data.append(contentsOf: buffer[0..<count])
                    // Ctrl-C once the display shows `trigger` (what a person would see before pressing it).
                    if let pending = trigger, String(decoding: data, as: UTF8.self).contains(pending) {
                        kill(pid, SIGINT)
                        trigger = nil
                    }
                }
                close(master)
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), terminal: terminal)
    }
}
