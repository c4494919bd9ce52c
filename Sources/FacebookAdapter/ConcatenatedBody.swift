import OpenAPIRuntime

/// Bodies sent one after another as one stream.
struct ConcatenatedBody: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let parts: [HTTPBody]

    struct AsyncIterator: AsyncIteratorProtocol {
        let parts: [HTTPBody]
        var index = 0
        var current: HTTPBody.AsyncIterator?

        mutating func next() async throws -> ArraySlice<UInt8>? {
            while index < parts.count {
                var iterator = current ?? parts[index].makeAsyncIterator()
                let chunk = try await iterator.next()
                current = iterator
                if let chunk { return chunk }
                current = nil
                index += 1
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(parts: parts) }
}
