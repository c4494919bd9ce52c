import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed `multipart/form-data` body (RFC 7578), for the fakes.
public struct FakeMultipart {
    /// One part.
    public struct Part {
        public var name: String
        public var fileName: String?
        public var contentType: String?
        public var body: ArraySlice<UInt8>
    }

    /// The parts, in order.
    public var parts: [Part]

    /// The boundary of a `multipart/form-data` content type, if it is one.
    public static func boundary(in contentType: String?) -> String? {
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
    public init?(_ bytes: [UInt8], boundary: String) {
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
    public var fields: [(String, String)] {
        parts.filter { $0.fileName == nil }.map { ($0.name, String(decoding: $0.body, as: UTF8.self)) }
    }

    /// The part named `name`.
    public func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    private static func parameter(_ name: String, in value: String) -> String? {
        for piece in value.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let pair = piece.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == name {
                return String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Reads a whole request body (bounded) with bulk copies.
    public static func collect(_ body: FakeRequestBody, upTo limit: Int) async throws -> [UInt8] {
        var buffer = ByteBuffer()
        while var chunk = try await body.next() {
            guard buffer.readableBytes + chunk.readableBytes <= limit else { throw FakeBodyTooLarge() }
            buffer.writeBuffer(&chunk)
        }
        return Array(buffer.readableBytesView)
    }

    /// The index of `needle` in `haystack` at or after `start` (`memchr` + `memcmp`: chunks are megabytes).
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard start >= 0, let first = needle.first else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pin -> Int? in
                guard let base = hay.baseAddress, let pattern = pin.baseAddress else { return nil }
                var position = start
                while position + pin.count <= hay.count {
                    guard let hit = memchr(base + position, Int32(first), hay.count - pin.count - position + 1) else { return nil }
                    let index = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + index, pattern, pin.count) == 0 { return index }
                    position = index + 1
                }
                return nil
            }
        }
    }
}
