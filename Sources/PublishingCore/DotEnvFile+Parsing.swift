import Foundation

/// Reading and writing `.env` text: the syntax described on ``DotEnvFile``.
extension DotEnvFile {
    /// Parses `.env` text into lines.
    /// - Throws: ``PublishError`` naming `file` and the 1-based line number.
    public static func parse(_ text: String, file: String = ".env") throws -> [Line] {
        var result: [Line] = []
        var rawLines = text.components(separatedBy: "\n")
        if rawLines.last == "" { rawLines.removeLast() }
        for (index, rawLine) in rawLines.enumerated() {
            let raw = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : rawLine
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                result.append(.verbatim(raw))
                continue
            }
            do {
                let (key, value, exported) = try parseAssignment(trimmed)
                result.append(.assignment(key: key, value: value, exported: exported, raw: raw))
            } catch let problem as LineProblem {
                throw PublishError(
                    .configuration, message: "\(file):\(index + 1): \(problem.reason)",
                    remediation: "fix line \(index + 1) of \(file) (expected KEY=value)"
                )
            }
        }
        return result
    }

    private struct LineProblem: Error { let reason: String }

    private static func parseAssignment(_ line: String) throws -> (String, String, Bool) {
        var rest = Substring(line)
        var exported = false
        if rest.hasPrefix("export ") || rest.hasPrefix("export\t") {
            exported = true
            rest = rest.dropFirst(7).drop(while: { $0 == " " || $0 == "\t" })
        }
        guard let equals = rest.firstIndex(of: "=") else { throw LineProblem(reason: "no '=' in this line") }
        let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
        guard let first = key.first, first == "_" || first.isLetter,
            key.allSatisfy({ $0 == "_" || $0 == "." || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { throw LineProblem(reason: "the key is not a valid name (letters, digits, '_' and '.', not starting with a digit)") }
        var valuePart = rest[rest.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
        var value = ""
        if valuePart.first == "'" {
            valuePart = valuePart.dropFirst()
            guard let close = valuePart.firstIndex(of: "'") else { throw LineProblem(reason: "unterminated single quote (multi-line values are not supported)") }
            value = String(valuePart[..<close])
            try checkTrailing(valuePart[valuePart.index(after: close)...])
        } else if valuePart.first == "\"" {
            valuePart = valuePart.dropFirst()
            var index = valuePart.startIndex
            var closed = false
            while index < valuePart.endIndex {
                let c = valuePart[index]
                if c == "\\" {
                    let next = valuePart.index(after: index)
                    guard next < valuePart.endIndex else { break }
                    switch valuePart[next] {
                    case "n": value.append("\n")
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "$": value.append("$")
                    case "`": value.append("`")
                    default: value.append("\\"); value.append(valuePart[next])
                    }
                    index = valuePart.index(after: next)
                    continue
                }
                if c == "\"" { closed = true; break }
                value.append(c)
                index = valuePart.index(after: index)
            }
            guard closed else { throw LineProblem(reason: "unterminated double quote (multi-line values are not supported)") }
            try checkTrailing(valuePart[valuePart.index(after: index)...])
        } else {
            var text = String(valuePart)
            if let comment = text.range(of: " #") ?? text.range(of: "\t#") { text = String(text[..<comment.lowerBound]) }
            value = text.trimmingCharacters(in: .whitespaces)
        }
        return (key, value, exported)
    }

    private static func checkTrailing(_ rest: Substring) throws {
        let trailing = rest.trimmingCharacters(in: .whitespaces)
        guard trailing.isEmpty || trailing.hasPrefix("#") else {
            throw LineProblem(reason: "unexpected text after the closing quote")
        }
    }

    /// Renders an assignment, quoting only when needed, so that `source .env` in a shell reads the same value and
    /// runs nothing: plain double quotes when nothing in the value expands; single quotes (literal in both) for a
    /// value with `$`, `` ` ``, `\`, `"` or `!` unless it holds a single quote or line break; else double quotes with
    /// `\`, `"`, `$` and `` ` `` escaped.
    static func render(key: String, value: String, exported: Bool) -> String {
        let prefix = exported ? "export " : ""
        let plain = value.allSatisfy { c in
            c.isASCII && !c.isWhitespace && !"\"'#\\$`;&|<>()!*?[]{}~".contains(c)
        }
        if plain { return "\(prefix)\(key)=\(value)" }
        let expands = value.contains { "$`\\\"!".contains($0) }
        if expands, !value.contains("'"), !value.contains(where: \.isNewline) { return "\(prefix)\(key)='\(value)'" }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "$", with: "\\$")
            .replacingOccurrences(of: "`", with: "\\`")
            .replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
        return "\(prefix)\(key)=\"\(escaped)\""
    }
}
