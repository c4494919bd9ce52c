/// An optional that `--json` always writes: `null` when absent, never left out (the output contract: every key
/// present). Synthesized `Encodable` then does what a hand-written `encode(to:)` per row type did.
@propertyWrapper
struct NullEncoded<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
