import Foundation

/// A parsed `multipart/form-data` body (RFC 7578), for the fakes.
struct FakeMultipart {
    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
        var body: ArraySlice<UInt8>
    }

    var parts: [Part]

    /// The boundary of a `multipart/form-data` content type, if it is one.
    static func boundary(in contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Parses `bytes`; `nil` when they are not well-formed multipart with `boundary`.
    init?(_ bytes: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = Self.find(delimiter, in: bytes, from: 0) else { return nil }
        var parts: [Part] = []
        while true {
            position += delimiter.count
            if bytes.count >= position + 2, bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == UInt8(ascii: "-") { break }
            guard bytes.count >= position + 2, Array(bytes[position..<position + 2]) == crlf else { return nil }
            position += 2
            guard let headerEnd = Self.find(crlf + crlf, in: bytes, from: position) else { return nil }
            let headerText = String(decoding: bytes[position..<headerEnd], as: UTF8.self)
            let bodyStart = headerEnd + 4
            guard let next = Self.find(crlf + delimiter, in: bytes, from: bodyStart) else { return nil }
            var name: String?
            var fileName: String?
            var contentType: String?
            for line in headerText.components(separatedBy: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pieces.count == 2 else { continue }
                switch pieces[0].lowercased() {
                case "content-disposition":
                    name = Self.parameter("name", in: pieces[1])
                    fileName = Self.parameter("filename", in: pieces[1])
                case "content-type":
                    contentType = pieces[1]
                default: break
                }
            }
            guard let name else { return nil }
            parts.append(Part(name: name, fileName: fileName, contentType: contentType, body: bytes[bodyStart..<next]))
            position = next + 2
        }
        self.parts = parts
    }

    /// The text fields (parts without a file name).
    var fields: [(String, String)] {
        parts.filter { $0.fileName == nil }.map { ($0.name, String(decoding: $0.body, as: UTF8.self)) }
    }

    /// The part named `name`.
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    private static func parameter(_ name: String, in value: String) -> String? {
        for piece in value.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pair = piece.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == name {
                return String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
