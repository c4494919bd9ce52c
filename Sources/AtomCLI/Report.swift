import Foundation
import PublishingCore
import PublishingEngine

/// The human summary of a post (or of `atom status`): a table that fits the terminal, long notes as footnotes.
enum SummaryTable {
    /// - Parameters:
    ///   - width: The columns available (80 when unknown).
    ///   - palette: Colours for the status words.
    static func render(_ report: PostReport, sandbox: Bool, width: Int = 80, palette: Palette = Palette(enabled: false)) -> String {
        var rows: [[String]] = [["platform", "status", "id", "post id", "url / error"]]
        for result in report.results {
            var detail = result.url ?? ""
            if let error = result.error {
                detail = "\(error.code): \(error.message)" + (error.remediation.map { " — \($0)" } ?? "")
            } else if let note = result.note, detail.isEmpty {
                detail = note
            } else if let note = result.note {
                detail += "  (\(note))"
            }
            if let cover = result.cover, cover.state == .set, result.error == nil { detail += "  (\(cover))" }
            rows.append([result.platform.rawValue, result.status.rawValue, result.id ?? "-", result.postId ?? "-", detail])
        }
        var lines = table(rows, width: width, palette: palette, statusColumn: 1)
        for result in report.results {
            guard let error = result.recordError else { continue }
            let text = "NOT RECORDED: \(result.platform.rawValue): \(error.message)" + (error.remediation.map { " — \($0)" } ?? "")
            lines.append(contentsOf: wrap(text, width: width, indent: "  "))
        }
        for message in report.recordErrors ?? [] { lines.append(contentsOf: wrap("NOT RECORDED: \(message)", width: width, indent: "  ")) }
        let unfinished = report.results.compactMap { $0.status == .processing || $0.status == .interrupted ? $0.id : nil }
        if !unfinished.isEmpty {
            let commands = unfinished.map { "atom status \($0)" + (sandbox ? " --sandbox" : "") }.joined(separator: "; ")
            lines.append(contentsOf: wrap("continue with: " + commands, width: width, indent: "  "))
        }
        if sandbox {
            let text = "SANDBOX: nothing was posted anywhere real — every platform above is atom's built-in loopback fake."
            lines.append(contentsOf: wrap(text, width: width, indent: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// Lays rows out in columns that fit `width`: the last column is cut, and a cut cell becomes a numbered
    /// footnote printed in full (wrapped) under the table.
    static func table(_ rows: [[String]], width: Int = 80, palette: Palette = Palette(enabled: false), statusColumn: Int? = nil) -> [String] {
        guard let first = rows.first else { return [] }
        let rows = rows.map { $0.map(Text.oneLine) }
        let last = first.count - 1
        var widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        let fixed = widths.dropLast().reduce(0, +) + 2 * last
        let room = max(12, width - fixed)
        widths[last] = min(widths[last], room)
        var footnotes: [String] = []
        var lines: [String] = []
        for (index, row) in rows.enumerated() {
            var cells = row
            if index > 0, cells[last].count > room {
                footnotes.append(cells[last])
                let marker = "[\(footnotes.count)]"
                cells[last] = Text.fit(cells[last], width: room - marker.count - 1) + " " + marker
            }
            let line = cells.enumerated().map { column, cell -> String in
                let padded = column == last ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                return index > 0 && column == statusColumn ? padded.replacingOccurrences(of: cell, with: palette.status(cell)) : padded
            }.joined(separator: "  ")
            lines.append(line)
            if index == 0 {
                lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
            }
        }
        for (number, note) in footnotes.enumerated() {
            lines.append(contentsOf: wrap("[\(number + 1)] \(note)", width: width, indent: "    "))
        }
        return lines
    }

    /// Wraps text at spaces to `width` columns (a word longer than a line is cut).
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = current.isEmpty ? (lines.isEmpty ? "" : indent) + word : current + " " + word
            if candidate.count <= width || current.isEmpty {
                current = Text.fit(candidate, width: width)
            } else {
                lines.append(current)
                current = Text.fit(indent + word, width: width)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
