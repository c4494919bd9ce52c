import Foundation
import PublishingCore

/// The `--json` shapes of CONTRACT.md, with explicit `null`s.
struct ResultJSON: Encodable {
    var result: PlatformResult
    var sandbox: Bool

    enum CodingKeys: String, CodingKey { case platform, status, id, postId, url, startedAt, finishedAt, error, note, cover, sandbox }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(result.platform.rawValue, forKey: .platform)
        try c.encode(result.status.rawValue, forKey: .status)
        try c.encode(result.id, forKey: .id)
        try c.encode(result.postId, forKey: .postId)
        try c.encode(result.url, forKey: .url)
        try c.encode(result.startedAt, forKey: .startedAt)
        try c.encode(result.finishedAt, forKey: .finishedAt)
        try c.encode(result.error.map(ErrorJSON.init), forKey: .error)
        if let note = result.note { try c.encode(note, forKey: .note) }
        if let cover = result.cover { try c.encode(cover, forKey: .cover) }
        if sandbox { try c.encode(true, forKey: .sandbox) }
    }
}

struct ErrorJSON: Encodable {
    var code: String
    var message: String
    var retryable: Bool
    var remediation: String?

    init(_ summary: ErrorSummary) {
        code = summary.code
        message = summary.message
        retryable = summary.retryable
        remediation = summary.remediation
    }
}

struct PostJSON: Encodable {
    var video: String
    var sha256: String
    var results: [ResultJSON]
    var interrupted: Bool?
    var sandbox: Bool?

    init(_ report: PostReport, sandbox: Bool) {
        video = report.video
        sha256 = report.sha256
        results = report.results.map { ResultJSON(result: $0, sandbox: false) }
        interrupted = report.interrupted ? true : nil
        self.sandbox = sandbox ? true : nil
    }
}

struct HistoryJSON: Encodable {
    var record: PostRecord

    enum CodingKeys: String, CodingKey {
        case id, platform, status, postId, url, video, sha256, createdAt, updatedAt, error, note, cover, sandbox
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(record.id, forKey: .id)
        try c.encode(record.platform.rawValue, forKey: .platform)
        try c.encode(record.status.rawValue, forKey: .status)
        try c.encode(record.postId, forKey: .postId)
        try c.encode(record.url, forKey: .url)
        try c.encode(record.video, forKey: .video)
        try c.encode(record.sha256, forKey: .sha256)
        try c.encode(record.createdAt, forKey: .createdAt)
        try c.encode(record.updatedAt, forKey: .updatedAt)
        try c.encode(record.error.map(ErrorJSON.init), forKey: .error)
        if let note = record.note { try c.encode(note, forKey: .note) }
        if let cover = record.cover { try c.encode(cover, forKey: .cover) }
        if record.sandbox == true { try c.encode(true, forKey: .sandbox) }
    }
}

/// The human summary table.
enum SummaryTable {
    static func render(_ report: PostReport, sandbox: Bool) -> String {
        var rows: [[String]] = [["platform", "status", "post id", "url / error"]]
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
            rows.append([result.platform.rawValue, result.status.rawValue, result.postId ?? "-", detail])
        }
        var lines = table(rows)
        let unfinished = report.results.compactMap { $0.status == .processing || $0.status == .interrupted ? $0.id : nil }
        if !unfinished.isEmpty {
            lines.append("continue with: " + unfinished.map { "atom status \($0)" + (sandbox ? " --sandbox" : "") }.joined(separator: "; "))
        }
        if sandbox {
            lines.append("SANDBOX: nothing was posted anywhere real — every platform above is atom's built-in loopback fake.")
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().flatMap { index, row -> [String] in
            let line = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            if index == 0 { return [line, widths.enumerated().map { String(repeating: "─", count: $0.offset == widths.count - 1 ? min($0.element, 40) : $0.element) }.joined(separator: "  ")] }
            return [line]
        }
    }
}
