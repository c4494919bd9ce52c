import Foundation

/// A small XML tree for S3's response documents (no namespaces, DTDs or processing beyond the prolog).
///
/// S3 answers with short, flat documents (`<Error>`, `<ListBucketResult>`, …); a tiny parser keeps the
/// module free of libxml2 and reads only what atom needs.
package struct XMLNode: Sendable, Equatable {
    package var name: String
    package var text: String
    package var children: [XMLNode]

    /// The first direct child named `name`.
    package func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    /// Every direct child named `name`.
    package func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    /// The text of the first direct child named `name`.
    package func value(_ name: String) -> String? { child(name)?.text }

    /// Parses a document; `nil` when it is not well-formed enough to read.
    package static func parse(_ bytes: [UInt8]) -> XMLNode? {
        var parser = Parser(bytes: bytes)
        return parser.document()
    }

    /// XML's predefined entities: each escaped character and its entity name.
    private static let entityNames: [Character: String] = ["&": "amp", "<": "lt", ">": "gt", "\"": "quot", "'": "apos"]
    /// The characters the predefined entities stand for, by name.
    private static let entityCharacters = Dictionary(uniqueKeysWithValues: entityNames.map { ($0.value, $0.key) })

    /// Escapes text for element content.
    package static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if let name = entityNames[character] { out += "&\(name);" } else { out.append(character) }
        }
        return out
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() -> XMLNode? {
            while index < bytes.count {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { return nil }
                if starts(with: "<?") || starts(with: "<!") {
                    guard skip(past: ">") else { return nil }
                    continue
                }
                return element()
            }
            return nil
        }

        mutating func element() -> XMLNode? {
            index += 1  // "<"
            let nameStart = index
            while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") { index += 1 }
            let name = localName(String(decoding: bytes[nameStart..<index], as: UTF8.self))
            // Attributes are skipped (S3 uses only xmlns).
            var quote: UInt8?
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote { if byte == open { quote = nil } } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") { break }
                index += 1
            }
            guard index < bytes.count else { return nil }
            if bytes[index - 1] == UInt8(ascii: "/") {
                index += 1
                return XMLNode(name: name, text: "", children: [])
            }
            index += 1
            var node = XMLNode(name: name, text: "", children: [])
            var text: [UInt8] = []
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<") {
                    if starts(with: "</") {
                        guard skip(past: ">") else { return nil }
                        node.text = Self.decodeEntities(String(decoding: text, as: UTF8.self))
                        return node
                    } else if starts(with: "<![CDATA[") {
                        index += 9
                        while index < bytes.count, !starts(with: "]]>") { text.append(bytes[index]); index += 1 }
                        index += 3
                    } else if starts(with: "<!--") || starts(with: "<?") {
                        guard skip(past: ">") else { return nil }
                    } else {
                        guard let child = element() else { return nil }
                        node.children.append(child)
                    }
                } else {
                    text.append(bytes[index])
                    index += 1
                }
            }
            return nil
        }

        func starts(with prefix: String) -> Bool {
            let utf8 = Array(prefix.utf8)
            return index + utf8.count <= bytes.count && Array(bytes[index..<index + utf8.count]) == utf8
        }

        mutating func skip(past terminator: String) -> Bool {
            while index < bytes.count {
                if starts(with: terminator) { index += terminator.utf8.count; return true }
                index += 1
            }
            return false
        }

        mutating func skipWhitespace() { while index < bytes.count, isSpace(bytes[index]) { index += 1 } }

        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

        func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }

        static func decodeEntities(_ text: String) -> String {
            guard text.contains("&") else { return text }
            var out = ""
            var rest = Substring(text)
            while let amp = rest.firstIndex(of: "&") {
                out += rest[..<amp]
                guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
                let entity = rest[rest.index(after: amp)..<semi]
                if let character = XMLNode.entityCharacters[String(entity)] {
                    out.append(character)
                } else if entity.hasPrefix("#x"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                    out.unicodeScalars.append(scalar)
                } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += rest[amp...semi]
                }
                rest = rest[rest.index(after: semi)...]
            }
            return out + rest
        }
    }
}
